package dev.autoimport.connector.blob.changefeed;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.changefeed.enumerator.ChangeFeedEnumeratorState;
import dev.autoimport.connector.blob.changefeed.enumerator.ChangeFeedEnumeratorStateSerializer;
import dev.autoimport.connector.blob.changefeed.enumerator.ChangeFeedSourceEnumerator;
import dev.autoimport.connector.blob.changefeed.reader.ChangeFeedRecordEmitter;
import dev.autoimport.connector.blob.changefeed.reader.ChangeFeedSourceReader;
import dev.autoimport.connector.blob.changefeed.reader.ChangeFeedSplitReader;
import dev.autoimport.connector.blob.changefeed.reader.PublishedTimeWatermarks;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplitSerializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The blob change feed of a storage account as an unbounded stream of {@link BlobChange}s (origin
 * {@code CHANGE_FEED}) for one container and a set of name prefixes.
 *
 * <p>Build it with {@link #builder()}; in a {@link
 * org.apache.flink.connector.base.source.hybrid.HybridSource} after the listing, use {@link
 * ChangeFeedSourceBuilder#buildStartingAtSwitch} so the start time comes from the listing's
 * enumerator at switch time.
 *
 * <p>Guarantees: the read position (the SDK's cursor) is part of every checkpoint, and moves only
 * after a whole page of events was emitted, so after a restore no event is lost and at most one
 * page is emitted again. Order is kept per blob (the feed's only order). Which events are kept is
 * decided by {@link ChangeFeedEventMapper}.
 *
 * <p>Watermarks: after the reader has drained what the feed had published, it emits the time that
 * read began as a watermark (a publication time: everything published by then was emitted). Records
 * carry their event time as timestamp. Use {@code WatermarkStrategy.noWatermarks()} in {@code
 * fromSource}: in a streaming job the source's own watermarks pass unchanged, while a generating
 * strategy would add watermarks of its own based on event times, which say nothing about what the
 * feed has published.
 */
public final class ChangeFeedSource
        implements Source<BlobChange, ChangeFeedSplit, ChangeFeedEnumeratorState>,
                ResultTypeQueryable<BlobChange> {

    private static final long serialVersionUID = 1L;

    private final BlobStorageConfig storageConfig;
    private final List<String> prefixes;
    @Nullable private final Instant startTime;
    @Nullable private final String startCursor;
    private final Duration pollInterval;
    private final int pageSize;
    private final Duration clockSkewTolerance;

    ChangeFeedSource(
            BlobStorageConfig storageConfig,
            List<String> prefixes,
            @Nullable Instant startTime,
            @Nullable String startCursor,
            Duration pollInterval,
            int pageSize,
            Duration clockSkewTolerance) {
        this.storageConfig = storageConfig;
        this.prefixes = List.copyOf(prefixes);
        this.startTime = startTime;
        this.startCursor = startCursor;
        this.pollInterval = pollInterval;
        this.pageSize = pageSize;
        this.clockSkewTolerance = clockSkewTolerance;
    }

    public static ChangeFeedSourceBuilder builder() {
        return new ChangeFeedSourceBuilder();
    }

    /** All changes to blobs of the config's container under the prefixes from the start time. */
    public static ChangeFeedSource forStartTime(
            BlobStorageConfig storageConfig, List<String> prefixes, Instant startTime) {
        return builder()
                .setStorageConfig(storageConfig)
                .setPrefixes(prefixes)
                .setStartTime(startTime)
                .build();
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<BlobChange, ChangeFeedSplit> createReader(SourceReaderContext context) {
        ChangeFeedSourceMetrics metrics =
                new ChangeFeedSourceMetrics(context.metricGroup(), Clock.systemUTC());
        PublishedTimeWatermarks watermarks = new PublishedTimeWatermarks();
        return new ChangeFeedSourceReader(
                () ->
                        new ChangeFeedSplitReader(
                                storageConfig,
                                prefixes,
                                clockSkewTolerance,
                                pollInterval,
                                pageSize,
                                metrics::readRetried),
                new ChangeFeedRecordEmitter(metrics, watermarks),
                watermarks,
                context.getConfiguration(),
                context);
    }

    @Override
    public SplitEnumerator<ChangeFeedSplit, ChangeFeedEnumeratorState> createEnumerator(
            SplitEnumeratorContext<ChangeFeedSplit> context) {
        return new ChangeFeedSourceEnumerator(context, initialSplit());
    }

    @Override
    public SplitEnumerator<ChangeFeedSplit, ChangeFeedEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<ChangeFeedSplit> context, ChangeFeedEnumeratorState state) {
        return new ChangeFeedSourceEnumerator(context, state.unassignedSplit().orElse(null), true);
    }

    @Override
    public SimpleVersionedSerializer<ChangeFeedSplit> getSplitSerializer() {
        return ChangeFeedSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<ChangeFeedEnumeratorState>
            getEnumeratorCheckpointSerializer() {
        return ChangeFeedEnumeratorStateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<BlobChange> getProducedType() {
        return TypeInformation.of(BlobChange.class);
    }

    /** The split a fresh start hands out. */
    ChangeFeedSplit initialSplit() {
        return startCursor != null
                ? ChangeFeedSplit.resumingFrom(startCursor)
                : ChangeFeedSplit.startingAt(startTime);
    }

    @Override
    public String toString() {
        return "ChangeFeedSource{"
                + storageConfig
                + ", prefixes="
                + prefixes
                + (startCursor != null ? ", from cursor" : ", from " + startTime)
                + ", pollInterval="
                + pollInterval
                + ", pageSize="
                + pageSize
                + "}";
    }
}
