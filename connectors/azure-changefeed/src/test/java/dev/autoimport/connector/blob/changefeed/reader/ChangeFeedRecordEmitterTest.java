package dev.autoimport.connector.blob.changefeed.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.ChangeFeedSourceMetrics;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplitState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChangeFeedRecordEmitterTest {

    private static final ChangeFeedSplit SPLIT =
            ChangeFeedSplit.startingAt(Instant.parse("2025-03-01T10:20:00Z"));

    private final PublishedTimeWatermarks watermarks = new PublishedTimeWatermarks();
    private final ChangeFeedRecordEmitter emitter =
            new ChangeFeedRecordEmitter(
                    new ChangeFeedSourceMetrics(new UnregisteredMetricsGroup(), Clock.systemUTC()),
                    watermarks);
    private final RecordingOutput mainOutput = new RecordingOutput();
    private final RecordingOutput splitOutput = new RecordingOutput();
    private final ChangeFeedSplitState state = new ChangeFeedSplitState(SPLIT);

    @BeforeEach
    void bindTheMainOutputAsTheReaderDoesBeforeEachPoll() {
        watermarks.bind(mainOutput);
    }

    @Test
    void aChangeIsEmittedWithItsEventTimeAndLeavesTheCursorAlone() {
        BlobChange change = new BlobChange();
        change.blobName = "a";
        change.eventTimeMillis = 1234L;

        emitter.emitRecord(new ChangeFeedRecord.Change(change), splitOutput, state);

        assertThat(splitOutput.records).containsExactly(change);
        assertThat(splitOutput.timestamps).containsExactly(1234L);
        assertThat(state.toSplit()).isEqualTo(SPLIT);
    }

    @Test
    void thePageEndMovesTheCursorThatACheckpointStores() {
        emitter.emitRecord(new ChangeFeedRecord.PageEnd("{\"page\":1}", 99L), splitOutput, state);

        assertThat(state.toSplit()).isEqualTo(SPLIT.withCursor("{\"page\":1}"));
        assertThat(splitOutput.records).isEmpty();
    }

    @Test
    void drainingEmitsThePublishedTimeOnTheMainOutputOnlyWhenItAdvances() {
        emitter.emitRecord(new ChangeFeedRecord.Drained(1000L), splitOutput, state);
        emitter.emitRecord(new ChangeFeedRecord.Drained(1000L), splitOutput, state);
        emitter.emitRecord(new ChangeFeedRecord.Drained(500L), splitOutput, state);
        emitter.emitRecord(new ChangeFeedRecord.Drained(2000L), splitOutput, state);

        assertThat(mainOutput.watermarks).containsExactly(1000L, 2000L);
        assertThat(splitOutput.watermarks).isEmpty();
    }

    private static final class RecordingOutput implements ReaderOutput<BlobChange> {
        final List<BlobChange> records = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void collect(BlobChange record) {
            collect(record, Long.MIN_VALUE);
        }

        @Override
        public void collect(BlobChange record, long timestamp) {
            records.add(record);
            timestamps.add(timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<BlobChange> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }
}
