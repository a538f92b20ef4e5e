package dev.autoimport.connector.blob.changefeed.reader;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.changefeed.BlobChangefeedClient;
import com.azure.storage.blob.changefeed.BlobChangefeedClientBuilder;
import com.azure.storage.blob.changefeed.BlobChangefeedPagedIterable;
import com.azure.storage.blob.changefeed.BlobChangefeedPagedResponse;
import com.azure.storage.blob.changefeed.models.BlobChangefeedEvent;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.TransientFaults;
import dev.autoimport.connector.blob.changefeed.ChangeFeedEventMapper;
import dev.autoimport.connector.blob.changefeed.ChangeFeedMetadataReader;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the change feed through the SDK on the fetcher thread.
 *
 * <p>A <em>read</em> is one {@code getEvents} call: from the start time the first time, from the
 * last page's cursor afterwards. Each {@link #fetch()} hands over one page (mapped and filtered,
 * then a {@link ChangeFeedRecord.PageEnd} with the page's cursor). When a read returns no further
 * page the reader has everything the feed had published: it reports {@link
 * ChangeFeedRecord.Drained}, keeps its cursor (no new page means no new cursor) and starts the next
 * read one poll interval later, blocking in {@code fetch} until then (woken early only by {@link
 * #wakeUp()}), so an idle feed costs a few requests per interval and no CPU.
 *
 * <p>Each read re-reads {@code segments.json}, the segment manifests and the shard listings, which
 * is how new chunks of the current hourly segment and new segments are picked up.
 *
 * <p>Granularity: the SDK gives a cursor per page only, so the split's position moves page by page.
 * A restore repeats at most the events of one page (up to the page size); it never skips one.
 * Without failures no event is read twice: the SDK's cursor points just past the page's last event.
 *
 * <p>Transient faults: every request of a read is first retried by the SDK (see {@link
 * BlobStorageConfig#serviceClient()}). What still fails transiently ({@link
 * TransientFaults#isTransient}: throttling, 5xx, time-outs, a connection refused or reset, also in
 * the middle of a chunk) never fails the source: the read is dropped and started again, in place,
 * from the cursor of the last page handed over (the start time before the first page), after {@link
 * #FIRST_RETRY_DELAY} doubling up to {@link #MAX_RETRY_DELAY}, for as long as the fault lasts. A
 * page is handed over only whole, so a retry repeats nothing that was emitted. Each retry is logged
 * (WARN) and counted ({@code blobSync.changeFeedReadRetries}). A permanent failure (403, a chunk or
 * segment that is gone, ...) fails the source with a message that names it.
 */
public final class ChangeFeedSplitReader implements SplitReader<ChangeFeedRecord, ChangeFeedSplit> {

    /**
     * How much earlier than the start time the SDK is asked to start. The SDK rounds the start down
     * to the hour and places an event in an hourly segment only approximately (within about 15
     * minutes, says its {@code Changefeed} class), so an event just after the start time may sit in
     * the previous segment.
     */
    public static final Duration SEGMENT_SLACK = Duration.ofHours(1);

    /** The wait before the first in-place retry of a read that failed transiently. */
    public static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);

    /** The longest wait between two in-place retries of a read. */
    public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedSplitReader.class);

    private final BlobStorageConfig storageConfig;
    private final List<String> prefixes;
    private final Duration clockSkewTolerance;
    private final Duration pollInterval;
    private final int pageSize;
    private final Runnable onRetry;

    private final Object wakeUpLock = new Object();
    private boolean wakeUpRequested;

    @Nullable private ChangeFeedSplit split;
    private ChangeFeedEventMapper mapper;
    private BlobChangefeedClient feedClient;
    private ChangeFeedMetadataReader feedMetadata;

    /** The cursor after the last page handed over; null before the first page. */
    @Nullable private String cursor;

    /** Whether the feed still held the cursor's segment when the split was opened. */
    private boolean resumedCursorChecked;

    @Nullable private Stream<BlobChangefeedPagedResponse> openRead;
    @Nullable private Iterator<BlobChangefeedPagedResponse> pages;
    private Instant publishedThroughAtReadStart;
    private long nextReadNanos = System.nanoTime();

    /** Transient failures in a row since the last page or drained read. */
    private int failuresInARow;

    public ChangeFeedSplitReader(
            BlobStorageConfig storageConfig,
            List<String> prefixes,
            Duration clockSkewTolerance,
            Duration pollInterval,
            int pageSize) {
        this(storageConfig, prefixes, clockSkewTolerance, pollInterval, pageSize, () -> {});
    }

    /**
     * @param onRetry called on the fetcher thread for each in-place retry of a read
     */
    public ChangeFeedSplitReader(
            BlobStorageConfig storageConfig,
            List<String> prefixes,
            Duration clockSkewTolerance,
            Duration pollInterval,
            int pageSize,
            Runnable onRetry) {
        this.storageConfig = storageConfig;
        this.prefixes = List.copyOf(prefixes);
        this.clockSkewTolerance = clockSkewTolerance;
        this.pollInterval = pollInterval;
        this.pageSize = pageSize;
        this.onRetry = onRetry;
    }

    @Override
    public RecordsWithSplitIds<ChangeFeedRecord> fetch() throws IOException {
        if (split == null) {
            return new RecordsBySplits.Builder<ChangeFeedRecord>().build();
        }
        try {
            return fetchFromTheFeed();
        } catch (SuppressRestartsException e) {
            endRead();
            throw e;
        } catch (RuntimeException e) {
            endRead();
            if (!TransientFaults.isTransient(e)) {
                throw new IOException(
                        "reading the change feed of "
                                + storageConfig.endpoint()
                                + " failed "
                                + describePosition()
                                + " ("
                                + TransientFaults.describe(e)
                                + "): not a transient fault, so the source fails"
                                + permanentHint(e),
                        e);
            }
            scheduleRetry(e);
            return new RecordsBySplits.Builder<ChangeFeedRecord>().build();
        }
    }

    /**
     * Drops the failed read and lets the next {@link #fetch()} start it again, from the cursor of
     * the last page handed over, once the back-off has passed.
     */
    private void scheduleRetry(RuntimeException e) {
        failuresInARow++;
        Duration wait =
                TransientFaults.backOff(failuresInARow + 1, FIRST_RETRY_DELAY, MAX_RETRY_DELAY);
        nextReadNanos = System.nanoTime() + wait.toNanos();
        onRetry.run();
        LOG.warn(
                "Reading the change feed of {} failed {} ({}, {} in a row); reading again in {} ms"
                        + " from the same position",
                storageConfig.endpoint(),
                describePosition(),
                TransientFaults.describe(e),
                failuresInARow,
                wait.toMillis());
    }

    private static String permanentHint(Throwable e) {
        String status = TransientFaults.describe(e);
        if (status.startsWith("HTTP 403") || status.startsWith("HTTP 401")) {
            return "; the credential must be allowed to read container "
                    + ChangeFeedMetadataReader.FEED_CONTAINER;
        }
        if (status.startsWith("HTTP 404")) {
            return "; a segment or chunk of the feed is gone (deleted by the account's"
                    + " change-feed retention?)";
        }
        return "";
    }

    private RecordsWithSplitIds<ChangeFeedRecord> fetchFromTheFeed() throws IOException {
        if (pages == null && !startRead()) {
            return new RecordsBySplits.Builder<ChangeFeedRecord>().build();
        }
        if (pages.hasNext()) {
            RecordsWithSplitIds<ChangeFeedRecord> page = toRecords(pages.next());
            failuresInARow = 0;
            return page;
        }
        failuresInARow = 0;
        endRead();
        RecordsBySplits.Builder<ChangeFeedRecord> drained = new RecordsBySplits.Builder<>();
        drained.add(
                split.splitId(),
                new ChangeFeedRecord.Drained(publishedThroughAtReadStart.toEpochMilli()));
        return drained.build();
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ChangeFeedSplit> splitsChange) {
        if (!(splitsChange instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "the change-feed reader only takes splits, got " + splitsChange);
        }
        for (ChangeFeedSplit added : splitsChange.splits()) {
            if (split != null) {
                throw new IllegalStateException(
                        "a change-feed reader reads one split, got " + added + " besides " + split);
            }
            open(added);
        }
    }

    @Override
    public void wakeUp() {
        synchronized (wakeUpLock) {
            wakeUpRequested = true;
            wakeUpLock.notifyAll();
        }
    }

    @Override
    public void close() {
        endRead();
    }

    private void open(ChangeFeedSplit newSplit) {
        split = newSplit;
        cursor = newSplit.cursor().orElse(null);
        long notBefore =
                newSplit.startTime()
                        .map(t -> t.minus(clockSkewTolerance).toEpochMilli())
                        .orElse(Long.MIN_VALUE);
        mapper = new ChangeFeedEventMapper(storageConfig.container(), prefixes, notBefore);
        BlobServiceClient serviceClient = storageConfig.serviceClient();
        feedClient = new BlobChangefeedClientBuilder(serviceClient).buildClient();
        feedMetadata = new ChangeFeedMetadataReader(serviceClient);
        LOG.info(
                "Reading the change feed of {} for container {} {}",
                storageConfig.endpoint(),
                storageConfig.container(),
                describePosition());
    }

    /** Starts the next read when it is due; false when woken up first or nothing is published. */
    private boolean startRead() throws IOException {
        if (!awaitNextRead()) {
            return false;
        }
        nextReadNanos = System.nanoTime() + pollInterval.toNanos();
        // Taken before the read: whatever the feed had published by now, this read returns.
        Instant readStart = Instant.now();
        if (feedMetadata.lastConsumable().isEmpty()) {
            LOG.debug("The change feed has published nothing yet; polling again");
            return false;
        }
        publishedThroughAtReadStart = readStart;
        BlobChangefeedPagedIterable events;
        if (cursor != null) {
            try {
                events = feedClient.getEvents(cursor);
            } catch (IllegalArgumentException e) {
                throw new SuppressRestartsException(
                        new IllegalStateException(
                                "cannot resume the change feed from the saved cursor ("
                                        + e.getMessage()
                                        + "). A cursor names the host it was read through; the"
                                        + " storage endpoint must use the same host name"
                                        + " (127.0.0.1 and localhost differ). Cursor: "
                                        + cursor,
                                e));
            }
            if (!resumedCursorChecked) {
                requireFeedStillHolds(cursor);
                resumedCursorChecked = true;
            }
        } else {
            Instant readFrom = split.startTime().orElseThrow().minus(SEGMENT_SLACK);
            events = feedClient.getEvents(readFrom.atOffset(ZoneOffset.UTC), null);
        }
        openRead = events.streamByPage(pageSize);
        pages = openRead.iterator();
        return true;
    }

    /**
     * Fails for good, not into a restart loop, when the feed's retention has deleted the segment
     * the saved cursor points into: the SDK would go on at the next segment and skip the changes in
     * between without a word, and the mirror would silently miss them.
     */
    private void requireFeedStillHolds(String savedCursor) {
        if (!feedMetadata.holdsSegmentOf(savedCursor)) {
            throw new SuppressRestartsException(
                    new IllegalStateException(
                            "the change feed of "
                                    + storageConfig.endpoint()
                                    + " no longer holds the saved position (segment "
                                    + ChangeFeedMetadataReader.segmentPathOf(savedCursor)
                                    + " is gone, deleted by the account's change-feed retention"
                                    + " while the job was stopped or behind). Changes made in"
                                    + " between cannot be read any more, so the job stops"
                                    + " instead of missing them: start it again without the"
                                    + " savepoint or checkpoint, and its walk brings the mirror"
                                    + " up to date (unchanged files are not downloaded again)."
                                    + " Cursor: "
                                    + savedCursor));
        }
    }

    /** Blocks until the next read is due; false when woken up before. */
    private boolean awaitNextRead() throws IOException {
        synchronized (wakeUpLock) {
            long remaining = nextReadNanos - System.nanoTime();
            while (!wakeUpRequested && remaining > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(wakeUpLock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting to poll the change feed", e);
                }
                remaining = nextReadNanos - System.nanoTime();
            }
            wakeUpRequested = false;
            return remaining <= 0;
        }
    }

    private RecordsWithSplitIds<ChangeFeedRecord> toRecords(BlobChangefeedPagedResponse page) {
        RecordsBySplits.Builder<ChangeFeedRecord> records = new RecordsBySplits.Builder<>();
        String splitId = split.splitId();
        long lastEventTime = 0L;
        for (BlobChangefeedEvent event : page.getValue()) {
            BlobChange change = mapper.toBlobChange(event);
            if (change != null) {
                records.add(splitId, new ChangeFeedRecord.Change(change));
            }
            lastEventTime = ChangeFeedEventMapper.eventTimeMillis(event);
        }
        cursor = page.getContinuationToken();
        records.add(splitId, new ChangeFeedRecord.PageEnd(cursor, lastEventTime));
        return records.build();
    }

    private void endRead() {
        if (openRead != null) {
            // Cancels the SDK's subscription, which may still be prefetching.
            openRead.close();
        }
        openRead = null;
        pages = null;
    }

    private String describePosition() {
        if (cursor != null) {
            return "from cursor " + cursor;
        }
        return split == null
                ? "(no split)"
                : "from start time " + split.startTime().map(Instant::toString).orElse("?");
    }
}
