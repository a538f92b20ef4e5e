package dev.autoimport.connector.blob.listing.reader;

import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.listing.BlobPageLister;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.ListingPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import javax.annotation.Nullable;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Lists the assigned splits one after the other, one page per {@link #fetch()}.
 *
 * <p>A split that was restored from a checkpoint resumes at its page and skips the blobs of that
 * page it had already emitted; virtual-directory entries of hierarchical listings are dropped.
 */
final class BlobListingSplitReader implements SplitReader<ListedBlob, BlobListingSplit> {

    private final BlobPageLister lister;
    private final Queue<BlobListingSplit> pendingSplits = new ArrayDeque<>();

    /** The split being listed; its position is where the next page starts. */
    @Nullable private BlobListingSplit currentSplit;

    BlobListingSplitReader(BlobPageLister lister) {
        this.lister = lister;
    }

    @Override
    public RecordsWithSplitIds<ListedBlob> fetch() {
        RecordsBySplits.Builder<ListedBlob> records = new RecordsBySplits.Builder<>();
        if (currentSplit == null) {
            currentSplit = pendingSplits.poll();
            if (currentSplit == null) {
                return records.build();
            }
        }
        BlobListingSplit split = currentSplit;
        String marker = split.position().pageMarker();
        BlobPageLister.Page page = lister.listPage(split.prefix(), split.recursive(), marker);
        long listedAtMillis = System.currentTimeMillis();

        List<BlobItem> blobs = new ArrayList<>(page.items().size());
        for (BlobItem item : page.items()) {
            if (!Boolean.TRUE.equals(item.isPrefix())) {
                blobs.add(item);
            }
        }
        int alreadyEmitted = alreadyEmitted(blobs, split.position());
        for (int i = alreadyEmitted; i < blobs.size(); i++) {
            BlobItem blob = blobs.get(i);
            ListingPosition after =
                    i == blobs.size() - 1 && page.nextMarker() != null
                            ? ListingPosition.atPage(page.nextMarker())
                            : new ListingPosition(marker, i + 1, blob.getName());
            records.add(split.splitId(), new ListedBlob(toChange(blob, listedAtMillis), after));
        }

        if (page.nextMarker() == null) {
            records.addFinishedSplit(split.splitId());
            currentSplit = null;
        } else {
            currentSplit = split.at(ListingPosition.atPage(page.nextMarker()));
        }
        return records.build();
    }

    /**
     * How many blobs at the head of a re-listed page were emitted before the checkpoint. When the
     * page changed since (the last emitted blob is not where the count says), the last emitted name
     * decides; when that blob is gone too, the whole page is emitted again: a duplicate is harmless
     * downstream, a skipped blob would never be imported.
     */
    @VisibleForTesting
    static int alreadyEmitted(List<BlobItem> blobs, ListingPosition position) {
        int count = position.emittedInPage();
        if (count == 0) {
            return 0;
        }
        String last = position.lastEmittedBlobName();
        if (count <= blobs.size() && blobs.get(count - 1).getName().equals(last)) {
            return count;
        }
        for (int i = 0; i < blobs.size(); i++) {
            if (blobs.get(i).getName().equals(last)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static BlobChange toChange(BlobItem blob, long listedAtMillis) {
        BlobItemProperties properties = blob.getProperties();
        Map<String, String> metadata =
                blob.getMetadata() == null ? new HashMap<>() : new HashMap<>(blob.getMetadata());
        Long contentLength = properties.getContentLength();
        return BlobChange.listed(
                blob.getName(),
                properties.getETag(),
                properties.getLastModified().toInstant().toEpochMilli(),
                contentLength == null ? -1 : contentLength,
                metadata,
                listedAtMillis);
    }

    @Override
    public void handleSplitsChanges(SplitsChange<BlobListingSplit> splitsChange) {
        if (!(splitsChange instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "The blob listing only adds splits, got " + splitsChange);
        }
        pendingSplits.addAll(splitsChange.splits());
    }

    /** A fetch is one bounded request; there is nothing to interrupt. */
    @Override
    public void wakeUp() {}

    @Override
    public void close() {}
}
