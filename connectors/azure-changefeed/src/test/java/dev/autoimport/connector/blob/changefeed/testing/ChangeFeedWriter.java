package dev.autoimport.connector.blob.changefeed.testing;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Writes a blob change feed into {@code $blobchangefeed} of an Azurite (which has no change feed of
 * its own) in the service's layout, so that the real change-feed SDK reads it.
 *
 * <p>Layout written:
 *
 * <ul>
 *   <li>hourly segments {@code idx/segments/YYYY/MM/DD/hhmm/meta.json}, beginning at minute {@value
 *       #SEGMENT_BEGIN_MINUTE} of each hour as in the service's documented examples, whose {@code
 *       chunkFilePaths} name the shard directories {@code $blobchangefeed/log/NN/YYYY/MM/DD/hhmm/};
 *   <li>in each shard directory the chunks {@code 00000.avro}, {@code 00001.avro}, ... (Avro object
 *       container files without codec, {@link AvroChunkEncoder}); a blob's events always go to the
 *       same shard, so shards hold disjoint sets of blobs and per-blob order holds;
 *   <li>{@code meta/segments.json} with {@code lastConsumable}.
 * </ul>
 *
 * <p>Like the service it appends: {@link #append} writes each batch as new chunks of the hourly
 * segment its events' times fall in (events in time order, never into a finalized segment), and
 * {@link #publish} finalizes complete segments and advances {@code lastConsumable}.
 *
 * <p><b>What the SDK (12.0.0-beta.34) needs to see events.</b> It downloads {@code segments.json},
 * takes {@code safeEnd = lastConsumable + 1 h}, rounds it <em>up</em> to the hour, and reads every
 * segment whose hour (the minutes of the path are ignored) is before that; it ignores a segment's
 * {@code status}, and lists a shard's chunks when it gets to the shard. So with segments beginning
 * at hh:10 and {@code lastConsumable} at the begin of the newest finalized segment (H-1):10, the
 * SDK reads up to and including the segment of hour H, the one still being written: events appended
 * to the current hour become visible as soon as their chunk exists and {@code lastConsumable} is
 * (H-1):10 (which {@link #publish()} sets). Were segments to begin on the hour, the current hour
 * would stay invisible until finalized. A later read from a cursor lists the shard again and picks
 * up chunks added meanwhile, and moves on to segments that became visible.
 */
public final class ChangeFeedWriter {

    public static final String FEED_CONTAINER = "$blobchangefeed";
    public static final int SEGMENT_BEGIN_MINUTE = 10;
    public static final Duration SEGMENT_LENGTH = Duration.ofHours(1);
    public static final int DEFAULT_SHARDS = 2;
    public static final int DEFAULT_EVENTS_PER_BLOCK = 100;

    private static final DateTimeFormatter PATH_TIME =
            DateTimeFormatter.ofPattern("yyyy/MM/dd/HHmm").withZone(ZoneOffset.UTC);

    private final BlobContainerClient feed;
    private final AvroChunkEncoder encoder;
    private final int numShards;

    /** Segments written so far (by begin) and the next chunk number per shard. */
    private final TreeMap<Instant, int[]> segments = new TreeMap<>();

    private final TreeSet<Instant> finalizedSegments = new TreeSet<>();
    private Instant newestEventTime = Instant.MIN;
    private Instant lastConsumable;
    private long sequencer;

    /** A writer with {@value #DEFAULT_SHARDS} shards and small Avro blocks. */
    public ChangeFeedWriter(BlobServiceClient service) {
        this(service, DEFAULT_SHARDS, DEFAULT_EVENTS_PER_BLOCK);
    }

    public ChangeFeedWriter(BlobServiceClient service, int numShards, int eventsPerBlock) {
        if (numShards < 1 || numShards > 99) {
            throw new IllegalArgumentException("numShards must be 1..99, was " + numShards);
        }
        this.feed = service.getBlobContainerClient(FEED_CONTAINER);
        this.feed.createIfNotExists();
        this.encoder = new AvroChunkEncoder(eventsPerBlock, service.getAccountUrl());
        this.numShards = numShards;
    }

    /**
     * Deletes everything in {@code $blobchangefeed}, so that a new writer starts an empty feed in
     * an Azurite that an earlier test wrote to.
     */
    public static void wipe(BlobServiceClient service) {
        BlobContainerClient feed = service.getBlobContainerClient(FEED_CONTAINER);
        if (feed.exists()) {
            feed.listBlobs().forEach(blob -> feed.getBlobClient(blob.getName()).delete());
        }
    }

    /** The begin of the hourly segment an event of this time is written to. */
    public static Instant segmentBegin(Instant eventTime) {
        Duration offset = Duration.ofMinutes(SEGMENT_BEGIN_MINUTE);
        return eventTime.minus(offset).truncatedTo(ChronoUnit.HOURS).plus(offset);
    }

    /**
     * Writes the events as one new chunk per shard in each hourly segment they fall in. They become
     * readable with the next {@link #publish()} (or at once, if it already covers their segment).
     *
     * @throws IllegalArgumentException if the events are not in time order, also relative to
     *     earlier appends
     * @throws IllegalStateException if an event falls into a segment that is already finalized
     */
    public synchronized void append(List<FeedEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("nothing to append");
        }
        TreeMap<Instant, TreeMap<Integer, List<FeedEvent>>> bySegmentAndShard = new TreeMap<>();
        Instant previous = newestEventTime;
        for (FeedEvent event : events) {
            if (event.eventTime().isBefore(previous)) {
                throw new IllegalArgumentException(
                        "events must be appended in time order, as the service writes them: "
                                + event
                                + " comes after an event of "
                                + previous);
            }
            previous = event.eventTime();
            Instant segment = segmentBegin(event.eventTime());
            if (lastConsumable != null && !segment.isAfter(lastConsumable)) {
                throw new IllegalStateException(
                        "the segment of "
                                + segment
                                + " is finalized (lastConsumable is "
                                + lastConsumable
                                + "); a real feed never adds to it");
            }
            bySegmentAndShard
                    .computeIfAbsent(segment, s -> new TreeMap<>())
                    .computeIfAbsent(shardOf(event), s -> new ArrayList<>())
                    .add(event);
        }
        bySegmentAndShard.forEach(this::writeChunks);
        newestEventTime = previous;
    }

    /**
     * Makes every appended event readable: finalizes the segments before the newest one and sets
     * {@code lastConsumable} to the begin of the segment just before the newest.
     */
    public synchronized void publish() {
        if (segments.isEmpty()) {
            throw new IllegalStateException("nothing appended yet; use publishAsOf(time)");
        }
        publishAsOf(segments.lastKey());
    }

    /**
     * Publishes the feed as of a time: every segment before the one of {@code time} is finalized,
     * and events up to the end of that segment become readable; later ones stay invisible. Never
     * moves {@code lastConsumable} back.
     */
    public synchronized void publishAsOf(Instant time) {
        Instant proposed = segmentBegin(time).minus(SEGMENT_LENGTH);
        if (lastConsumable == null || proposed.isAfter(lastConsumable)) {
            lastConsumable = proposed;
        }
        for (Instant segment : segments.headMap(lastConsumable, true).keySet()) {
            if (finalizedSegments.add(segment)) {
                writeManifest(segment, "Finalized");
            }
        }
        upload(
                "meta/segments.json",
                "{\"version\":0,\"lastConsumable\":\""
                        + DateTimeFormatter.ISO_INSTANT.format(lastConsumable)
                        + "\",\"storageDiagnostics\":{\"version\":0,\"lastModifiedTime\":\""
                        + DateTimeFormatter.ISO_INSTANT.format(Instant.now())
                        + "\",\"data\":{\"aid\":\""
                        + UUID.randomUUID()
                        + "\"}}}");
    }

    /** The {@code lastConsumable} last published, if any. */
    public synchronized Optional<Instant> lastConsumable() {
        return Optional.ofNullable(lastConsumable);
    }

    /** A sequencer greater than every one this writer handed out before. */
    public synchronized String nextSequencer() {
        return String.format("%048x", ++sequencer);
    }

    /**
     * {@code count} creation events of blobs {@code prefix0}, {@code prefix1}, ... (etag {@code
     * 0x<i>}, length i), one millisecond apart from {@code from}, with this writer's sequencers.
     */
    public List<FeedEvent> createdEvents(String container, String prefix, int count, Instant from) {
        List<FeedEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(
                    FeedEvent.created(
                            container,
                            prefix + i,
                            "0x" + i,
                            i,
                            nextSequencer(),
                            from.plusMillis(i)));
        }
        return events;
    }

    /** A {@code BlobCreated} event for a blob a test has just uploaded, from its properties. */
    public FeedEvent created(BlobClient blob, Instant eventTime) {
        BlobProperties properties = blob.getProperties();
        return FeedEvent.created(
                blob.getContainerName(),
                blob.getBlobName(),
                feedEtag(properties.getETag()),
                properties.getBlobSize(),
                nextSequencer(),
                eventTime);
    }

    /** A metadata update ({@code BlobPropertiesUpdated}) of a blob, from its properties. */
    public FeedEvent metadataUpdated(BlobClient blob, Instant eventTime) {
        BlobProperties properties = blob.getProperties();
        return FeedEvent.metadataUpdated(
                blob.getContainerName(),
                blob.getBlobName(),
                feedEtag(properties.getETag()),
                properties.getBlobSize(),
                nextSequencer(),
                eventTime);
    }

    public FeedEvent deleted(String container, String blobName, Instant eventTime) {
        return FeedEvent.deleted(container, blobName, nextSequencer(), eventTime);
    }

    /** The feed reports etags without the quotes the ETag header carries. */
    private static String feedEtag(String headerEtag) {
        return headerEtag != null && headerEtag.length() >= 2 && headerEtag.startsWith("\"")
                ? headerEtag.substring(1, headerEtag.length() - 1)
                : headerEtag;
    }

    private int shardOf(FeedEvent event) {
        return Math.floorMod(event.subject().hashCode(), numShards);
    }

    private void writeChunks(Instant segment, Map<Integer, List<FeedEvent>> byShard) {
        boolean newSegment = !segments.containsKey(segment);
        int[] nextChunk = segments.computeIfAbsent(segment, s -> new int[numShards]);
        byShard.forEach(
                (shard, events) -> {
                    String path =
                            shardDirectory(shard, segment)
                                    + String.format("%05d.avro", nextChunk[shard]++);
                    feed.getBlobClient(path)
                            .upload(BinaryData.fromBytes(encoder.encode(events)), true);
                });
        if (newSegment) {
            writeManifest(segment, "Publishing");
        }
    }

    private void writeManifest(Instant segment, String status) {
        StringBuilder shards = new StringBuilder();
        for (int shard = 0; shard < numShards; shard++) {
            shards.append(shard == 0 ? "" : ",")
                    .append('"')
                    .append(FEED_CONTAINER)
                    .append('/')
                    .append(shardDirectory(shard, segment))
                    .append('"');
        }
        upload(
                "idx/segments/" + PATH_TIME.format(segment) + "/meta.json",
                "{\"version\":0,\"begin\":\""
                        + DateTimeFormatter.ISO_INSTANT.format(segment)
                        + "\",\"intervalSecs\":3600,\"status\":\""
                        + status
                        + "\",\"config\":{\"version\":0,\"configVersionEtag\":\"0x1\","
                        + "\"numShards\":"
                        + numShards
                        + ",\"recordsFormat\":\"avro\",\"formatSchemaVersion\":3,"
                        + "\"shardDistFnVersion\":1},\"chunkFilePaths\":["
                        + shards
                        + "],\"storageDiagnostics\":{\"version\":0,\"lastModifiedTime\":\""
                        + DateTimeFormatter.ISO_INSTANT.format(Instant.now())
                        + "\",\"data\":{\"aid\":\""
                        + UUID.randomUUID()
                        + "\"}}}");
    }

    private static String shardDirectory(int shard, Instant segment) {
        return String.format("log/%02d/", shard) + PATH_TIME.format(segment) + "/";
    }

    private void upload(String path, String json) {
        feed.getBlobClient(path).upload(BinaryData.fromString(json), true);
    }
}
