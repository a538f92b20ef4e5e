package dev.autoimport.connector.blob.changefeed.reader;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.ChangeFeedSourceMetrics;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplitState;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits kept changes with their event time as timestamp, moves the split's cursor at each page end,
 * and turns "drained" into a watermark.
 *
 * <p>The watermark is the wall-clock time at which the drained read began: everything the feed had
 * published by then has been emitted. It is a publication time, not an event time (the service
 * publishes an event minutes after it happens), which is what the job's {@code
 * blobSync.lastFullySynchronizedTime} reports. It only moves forward and goes out through {@link
 * PublishedTimeWatermarks}.
 */
public final class ChangeFeedRecordEmitter
        implements RecordEmitter<ChangeFeedRecord, BlobChange, ChangeFeedSplitState> {

    private final ChangeFeedSourceMetrics metrics;
    private final PublishedTimeWatermarks watermarks;

    public ChangeFeedRecordEmitter(
            ChangeFeedSourceMetrics metrics, PublishedTimeWatermarks watermarks) {
        this.metrics = metrics;
        this.watermarks = watermarks;
    }

    @Override
    public void emitRecord(
            ChangeFeedRecord record, SourceOutput<BlobChange> output, ChangeFeedSplitState state) {
        if (record instanceof ChangeFeedRecord.Change kept) {
            BlobChange change = kept.change();
            output.collect(change, change.eventTimeMillis);
            metrics.eventRead(change.eventTimeMillis);
        } else if (record instanceof ChangeFeedRecord.PageEnd pageEnd) {
            state.advanceTo(pageEnd.cursor());
            metrics.eventRead(pageEnd.lastEventTimeMillis());
        } else if (record instanceof ChangeFeedRecord.Drained drained) {
            metrics.caughtUp();
            watermarks.readThrough(drained.publishedThroughMillis());
        } else {
            throw new IllegalArgumentException("unknown change-feed record " + record);
        }
    }
}
