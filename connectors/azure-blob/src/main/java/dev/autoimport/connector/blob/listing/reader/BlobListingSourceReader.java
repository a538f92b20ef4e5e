package dev.autoimport.connector.blob.listing.reader;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.listing.BlobPageLister;
import dev.autoimport.connector.blob.listing.metrics.BlobListingMetrics;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.BlobListingSplitState;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads blob listing splits, asking the enumerator for the next split whenever it runs out, so that
 * fast readers take more of the container than slow ones.
 *
 * <p>A reader without a split marks itself idle, so that it holds back no watermark downstream. In
 * the auto-import job's {@link org.apache.flink.connector.base.source.hybrid.HybridSource} this
 * matters after a failover once the change feed is active: Flink's hybrid enumerator, which a
 * regional failover does not reset, hands every reader that restores no split to the first source
 * (this listing), whose enumerator is gone; such a reader then waits forever, and unless it is
 * idle, the change feed's watermarks (blobSync.lastFullySynchronizedTime) never pass it.
 */
// SourceReader.close() declares Exception, as Flink defines it; javac's try lint flags every
// subclass.
@SuppressWarnings("try")
public final class BlobListingSourceReader
        extends SingleThreadMultiplexSourceReaderBase<
                ListedBlob, BlobChange, BlobListingSplit, BlobListingSplitState> {

    public BlobListingSourceReader(
            Supplier<BlobPageLister> listerFactory,
            BlobListingMetrics metrics,
            SourceReaderContext context) {
        super(
                () -> new BlobListingSplitReader(listerFactory.get()),
                new BlobListingRecordEmitter(metrics),
                context.getConfiguration(),
                context);
    }

    @Override
    public void start() {
        // Splits restored from a checkpoint are already assigned; ask only when there are none.
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<BlobChange> output) throws Exception {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            output.markIdle();
        }
        return super.pollNext(output);
    }

    @Override
    protected void onSplitFinished(Map<String, BlobListingSplitState> finishedSplitIds) {
        context.sendSplitRequest();
    }

    @Override
    protected BlobListingSplitState initializedState(BlobListingSplit split) {
        return new BlobListingSplitState(split);
    }

    @Override
    protected BlobListingSplit toSplitType(String splitId, BlobListingSplitState splitState) {
        return splitState.toBlobListingSplit();
    }
}
