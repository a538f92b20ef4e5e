package dev.autoimport.connector.blob.listing;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingEnumeratorState;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingEnumeratorStateSerializer;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingSourceEnumerator;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingSplitPlanner;
import dev.autoimport.connector.blob.listing.metrics.BlobListingMetrics;
import dev.autoimport.connector.blob.listing.reader.BlobListingSourceReader;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.BlobListingSplitSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source that lists every blob under the given prefixes once and emits each as a {@link
 * BlobChange#listed listed} change.
 *
 * <p>Readers list in parallel, one page per request, with the metadata in the listing. A checkpoint
 * records each split's page and how much of it was emitted, so a restore neither re-lists finished
 * pages nor loses or repeats records of the current one.
 *
 * <p>In a {@code HybridSource}, the next source reads the walk's start time from the enumerator:
 *
 * <pre>{@code
 * HybridSource.<BlobChange, BlobListingSourceEnumerator>builder(listingSource)
 *     .addSource(
 *         switchContext -> changeFeedSourceFrom(
 *             switchContext.getPreviousEnumerator().getWalkStartMillis()),
 *         Boundedness.CONTINUOUS_UNBOUNDED)
 *     .build();
 * }</pre>
 *
 * <p>{@code getPreviousEnumerator()} is {@code null} when the job is restored after the switch; the
 * next source then resumes from its own state.
 */
public final class BlobListingSource
        implements Source<BlobChange, BlobListingSplit, BlobListingEnumeratorState>,
                ResultTypeQueryable<BlobChange> {

    private static final long serialVersionUID = 1L;

    private final BlobStorageConfig storageConfig;
    private final ArrayList<String> prefixes;
    private final int pageSize;
    private final String metricGroupName;

    BlobListingSource(
            BlobStorageConfig storageConfig,
            List<String> prefixes,
            int pageSize,
            String metricGroupName) {
        this.storageConfig = storageConfig;
        this.prefixes = new ArrayList<>(prefixes);
        this.pageSize = pageSize;
        this.metricGroupName = metricGroupName;
    }

    public static BlobListingSourceBuilder builder() {
        return new BlobListingSourceBuilder();
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<BlobChange, BlobListingSplit> createReader(
            SourceReaderContext readerContext) {
        BlobListingMetrics metrics =
                new BlobListingMetrics(readerContext.metricGroup(), metricGroupName);
        return new BlobListingSourceReader(this::pageLister, metrics, readerContext);
    }

    @Override
    public BlobListingSourceEnumerator createEnumerator(
            SplitEnumeratorContext<BlobListingSplit> enumContext) {
        return new BlobListingSourceEnumerator(
                enumContext,
                splitPlanner(),
                BlobListingEnumeratorState.newWalk(System.currentTimeMillis()));
    }

    @Override
    public BlobListingSourceEnumerator restoreEnumerator(
            SplitEnumeratorContext<BlobListingSplit> enumContext,
            BlobListingEnumeratorState checkpoint) {
        return new BlobListingSourceEnumerator(enumContext, splitPlanner(), checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<BlobListingSplit> getSplitSerializer() {
        return new BlobListingSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<BlobListingEnumeratorState>
            getEnumeratorCheckpointSerializer() {
        return new BlobListingEnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<BlobChange> getProducedType() {
        return TypeInformation.of(BlobChange.class);
    }

    private BlobPageLister pageLister() {
        return new BlobPageLister(storageConfig.containerClient(), pageSize);
    }

    private BlobListingSplitPlanner splitPlanner() {
        return new BlobListingSplitPlanner(prefixes, this::pageLister);
    }

    @Override
    public String toString() {
        return "BlobListingSource{"
                + storageConfig
                + ", prefixes="
                + prefixes.stream().map(p -> "'" + p + "'").toList()
                + ", pageSize="
                + pageSize
                + ", metricGroup="
                + metricGroupName
                + "}";
    }
}
