package dev.autoimport.job;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Changes a container the way a user would and publishes each change in the change feed, as the
 * service does: the blob first, then its event, readable once published.
 *
 * <p>Shared by the integration tests and the local run's demo ({@code local.DemoContainer}, {@code
 * local.DemoChanges}). One instance per feed: its writer numbers the feed's chunks and hands out
 * the sequencers, so a second fixture (or process) writing to the same feed would overwrite chunks.
 */
public final class FeedFixture {

    private final BlobContainerClient container;
    private final ChangeFeedWriter feed;
    private Instant lastEventTime = Instant.EPOCH;

    /** Events made inside {@link #publishTogether}, published when it ends. */
    private List<FeedEvent> held;

    public FeedFixture(BlobServiceClient service, BlobContainerClient container) {
        this.container = container;
        this.feed = new ChangeFeedWriter(service);
        // An account with the change feed enabled has a feed before anything changes.
        feed.publishAsOf(Instant.now());
    }

    /** Uploads (or overwrites) a blob and publishes its creation event. */
    public synchronized void put(String name, String content, Map<String, String> metadata) {
        BlobClient blob = container.getBlobClient(name);
        blob.uploadWithResponse(
                new BlobParallelUploadOptions(BinaryData.fromString(content))
                        .setMetadata(new HashMap<>(metadata)),
                null,
                Context.NONE);
        publish(feed.created(blob, nextEventTime()));
    }

    public synchronized void put(String name, String content) {
        put(name, content, Map.of());
    }

    /**
     * Publishes another creation event for a blob as it is, as the service does when the feed
     * repeats an event (or a client rewrites nothing): the same etag, a newer sequencer.
     */
    public synchronized void reannounce(String name) {
        publish(feed.created(container.getBlobClient(name), nextEventTime()));
    }

    /** Replaces a blob's metadata and publishes the properties-updated event. */
    public synchronized void setMetadata(String name, Map<String, String> metadata) {
        BlobClient blob = container.getBlobClient(name);
        blob.setMetadata(new HashMap<>(metadata));
        publish(feed.metadataUpdated(blob, nextEventTime()));
    }

    /** Deletes a blob and publishes its deletion event. */
    public synchronized void delete(String name) {
        container.getBlobClient(name).delete();
        publish(feed.deleted(container.getBlobContainerName(), name, nextEventTime()));
    }

    /**
     * A blob that exists before the job starts; its event is published as the service would have,
     * and the job replays it harmlessly after the walk.
     */
    synchronized void seed(String name, String content) {
        put(name, content);
    }

    /**
     * Makes the changes {@code changes} makes, then publishes their events at once, so that the job
     * reads them in one go: an event then reaches the job after the blob has changed again.
     */
    public synchronized void publishTogether(Runnable changes) {
        held = new ArrayList<>();
        try {
            changes.run();
            feed.append(held);
        } finally {
            held = null;
        }
        feed.publish();
    }

    private void publish(FeedEvent event) {
        if (held != null) {
            held.add(event);
            return;
        }
        feed.append(List.of(event));
        feed.publish();
    }

    /** Event times must grow: the writer appends in time order. */
    private Instant nextEventTime() {
        Instant now = Instant.now();
        lastEventTime = now.isAfter(lastEventTime) ? now : lastEventTime.plusMillis(1);
        return lastEventTime;
    }

    /** What the mirror must hold: every blob's path and content. */
    Map<String, String> expectedFiles() {
        Map<String, String> files = new TreeMap<>();
        for (BlobItem item : container.listBlobs()) {
            files.put(
                    item.getName(),
                    container.getBlobClient(item.getName()).downloadContent().toString());
        }
        return files;
    }

    /** The regular files under the root with their content, leaving out the staging area. */
    static Map<String, String> filesUnder(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (Files.isRegularFile(p) && !rel.startsWith(".auto-import")) {
                    files.put(rel, Files.readString(p));
                }
            }
        }
        return files;
    }
}
