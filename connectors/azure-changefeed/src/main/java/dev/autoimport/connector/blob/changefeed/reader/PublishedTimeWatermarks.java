package dev.autoimport.connector.blob.changefeed.reader;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;

/**
 * Turns "the feed is read through time T" into watermarks on the reader's <em>main</em> output,
 * only ever forward.
 *
 * <p>Not on the split's output: Flink combines split outputs by their minimum, and in a {@link
 * org.apache.flink.connector.base.source.hybrid.HybridSource} a split output the previous source
 * never released (Flink's iterator-based readers, for one, never release theirs) stays at "no
 * watermark" forever and would swallow every watermark of this source. The main output bypasses
 * that combination. Records keep going through the split output; with {@code
 * WatermarkStrategy.noWatermarks()} neither output generates watermarks of its own.
 *
 * <p>Not checkpointed: after a restore the reader emits the feed's current time again.
 */
public final class PublishedTimeWatermarks {

    private ReaderOutput<?> mainOutput;
    private long emitted = Long.MIN_VALUE;

    /** Called by the reader before every poll, with the output it polls into. */
    void bind(ReaderOutput<?> output) {
        this.mainOutput = output;
    }

    /** Every event up to this time has been emitted. */
    void readThrough(long publishedThroughMillis) {
        if (publishedThroughMillis <= emitted) {
            return;
        }
        if (mainOutput == null) {
            throw new IllegalStateException("no reader output bound yet");
        }
        mainOutput.emitWatermark(new Watermark(publishedThroughMillis));
        emitted = publishedThroughMillis;
    }
}
