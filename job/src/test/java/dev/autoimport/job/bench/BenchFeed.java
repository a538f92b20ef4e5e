package dev.autoimport.job.bench;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import java.time.Instant;
import java.util.List;

/**
 * The benchmark's change feed: Azurite has none, so the benchmark writes one into {@code
 * $blobchangefeed} in the service's layout ({@link ChangeFeedWriter}: two shards, Avro chunks of
 * 100-record blocks) and the job's real change-feed SDK reads it, as in the tests.
 *
 * <p>An event is <em>readable</em> once its chunk is uploaded and covered by {@code
 * lastConsumable}; {@link #publish} returns the {@link System#nanoTime()} at which both are done.
 * One writer per feed: it numbers the chunks and hands out the sequencers.
 */
final class BenchFeed {

    private final BlobServiceClient service;
    private ChangeFeedWriter writer;

    BenchFeed(AzuriteServer azurite) {
        this.service = azurite.serviceClient();
    }

    /**
     * Empties the feed and starts a new one, published as of now, so that a job started next reads
     * nothing of earlier measurements (a job reads the feed from an hour before its walk).
     */
    synchronized void reset() {
        // The whole container at once: Azurite 3.37 deletes one blob in about 15 ms.
        service.getBlobContainerClient(ChangeFeedWriter.FEED_CONTAINER).deleteIfExists();
        writer = new ChangeFeedWriter(service);
        writer.publishAsOf(Instant.now());
    }

    /** A {@code BlobCreated} event of a blob as it was written (etag bare, as the feed has it). */
    FeedEvent created(String container, Corpus.Uploaded blob, Instant time) {
        return FeedEvent.created(
                container, blob.name(), blob.etag(), blob.size(), writer.nextSequencer(), time);
    }

    /** A {@code BlobCreated} event of a blob's current version, e.g. a replayed event. */
    FeedEvent created(String container, String name, String etag, long size, Instant time) {
        return FeedEvent.created(container, name, etag, size, writer.nextSequencer(), time);
    }

    FeedEvent deleted(String container, String name, Instant time) {
        return writer.deleted(container, name, time);
    }

    /**
     * Appends the events (one new chunk per shard) and publishes them.
     *
     * @return {@link System#nanoTime()} once they are readable
     */
    long publish(List<FeedEvent> events) {
        writer.append(events);
        writer.publish();
        return System.nanoTime();
    }

    /** Appends events without publishing them: readable only if already covered. */
    void append(List<FeedEvent> events) {
        writer.append(events);
    }

    /** Publishes everything appended so far; returns {@link System#nanoTime()} once readable. */
    long publish() {
        writer.publish();
        return System.nanoTime();
    }
}
