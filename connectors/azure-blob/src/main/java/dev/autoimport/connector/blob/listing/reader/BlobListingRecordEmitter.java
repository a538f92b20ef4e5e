package dev.autoimport.connector.blob.listing.reader;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.listing.metrics.BlobListingMetrics;
import dev.autoimport.connector.blob.listing.split.BlobListingSplitState;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits a listed blob and advances its split's position in the same step, so that a checkpoint
 * taken between two records holds exactly what was emitted.
 */
final class BlobListingRecordEmitter
        implements RecordEmitter<ListedBlob, BlobChange, BlobListingSplitState> {

    private final BlobListingMetrics metrics;

    BlobListingRecordEmitter(BlobListingMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void emitRecord(
            ListedBlob blob, SourceOutput<BlobChange> output, BlobListingSplitState splitState) {
        output.collect(blob.change());
        splitState.setPosition(blob.positionAfter());
        metrics.blobWalked();
    }
}
