package dev.autoimport.connector.blob.changefeed.reader;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.enumerator.ChangeFeedSplitRequest;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplitState;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.core.io.InputStatus;

/**
 * The change-feed source reader: one fetcher thread runs the {@link ChangeFeedSplitReader}, the
 * task thread emits through the {@link ChangeFeedRecordEmitter}.
 *
 * <p>A reader that starts without a split (not restored with one) asks the enumerator for it with a
 * {@link ChangeFeedSplitRequest} (not a plain split request, see there). Only one subtask ever
 * holds the feed's single split; the others mark themselves idle, so that they do not hold back the
 * watermark of operators downstream.
 */
// SourceReaderBase.close() declares Exception, which javac's "try" lint flags on every subclass.
@SuppressWarnings("try")
public final class ChangeFeedSourceReader
        extends SingleThreadMultiplexSourceReaderBase<
                ChangeFeedRecord, BlobChange, ChangeFeedSplit, ChangeFeedSplitState> {

    private final PublishedTimeWatermarks watermarks;

    /**
     * @param watermarks the same instance the record emitter emits watermarks through
     */
    public ChangeFeedSourceReader(
            Supplier<SplitReader<ChangeFeedRecord, ChangeFeedSplit>> splitReaderSupplier,
            RecordEmitter<ChangeFeedRecord, BlobChange, ChangeFeedSplitState> recordEmitter,
            PublishedTimeWatermarks watermarks,
            Configuration config,
            SourceReaderContext context) {
        super(splitReaderSupplier, recordEmitter, config, context);
        this.watermarks = watermarks;
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSourceEventToCoordinator(ChangeFeedSplitRequest.INSTANCE);
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<BlobChange> output) throws Exception {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            output.markIdle();
        }
        watermarks.bind(output);
        return super.pollNext(output);
    }

    @Override
    protected void onSplitFinished(Map<String, ChangeFeedSplitState> finishedSplitIds) {
        // The feed never ends, so its split never finishes.
    }

    @Override
    protected ChangeFeedSplitState initializedState(ChangeFeedSplit split) {
        return new ChangeFeedSplitState(split);
    }

    @Override
    protected ChangeFeedSplit toSplitType(String splitId, ChangeFeedSplitState splitState) {
        return splitState.toSplit();
    }
}
