package dev.autoimport.connector.blob.listing.enumerator;

import com.azure.storage.blob.models.BlobItem;
import dev.autoimport.connector.blob.listing.BlobPageLister;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.annotation.VisibleForTesting;

/**
 * Cuts the prefixes to list into splits that readers can list in parallel.
 *
 * <p>Several prefixes give one split each. A single prefix would give a single split and leave
 * every reader but one idle, so its first level is listed to make one split per virtual directory
 * plus one for the blobs directly under the prefix.
 */
public final class BlobListingSplitPlanner {

    private final List<String> prefixes;
    private final Supplier<BlobPageLister> listerFactory;

    public BlobListingSplitPlanner(List<String> prefixes, Supplier<BlobPageLister> listerFactory) {
        this.prefixes = List.copyOf(prefixes);
        this.listerFactory = listerFactory;
    }

    /** Plans the splits; lists the container only when there is a single prefix. */
    public List<BlobListingSplit> plan() {
        if (prefixes.size() != 1) {
            List<BlobListingSplit> splits = new ArrayList<>(prefixes.size());
            for (String prefix : prefixes) {
                splits.add(BlobListingSplit.recursive(prefix));
            }
            return splits;
        }
        String prefix = prefixes.get(0);
        return splitsForFirstLevel(prefix, virtualDirectoriesUnder(prefix));
    }

    private List<String> virtualDirectoriesUnder(String prefix) {
        BlobPageLister lister = listerFactory.get();
        List<String> directories = new ArrayList<>();
        String marker = null;
        do {
            BlobPageLister.Page page = lister.listPage(prefix, false, marker);
            for (BlobItem item : page.items()) {
                if (Boolean.TRUE.equals(item.isPrefix())) {
                    directories.add(item.getName());
                }
            }
            marker = page.nextMarker();
        } while (marker != null);
        return directories;
    }

    /**
     * One recursive split per virtual directory under {@code prefix}, plus one split for the blobs
     * directly under it. Together they cover every blob whose name starts with {@code prefix}
     * exactly once, because a hierarchical listing puts each such blob either in one virtual
     * directory or directly under the prefix.
     */
    @VisibleForTesting
    static List<BlobListingSplit> splitsForFirstLevel(
            String prefix, List<String> virtualDirectories) {
        List<BlobListingSplit> splits = new ArrayList<>(virtualDirectories.size() + 1);
        for (String directory : virtualDirectories) {
            splits.add(BlobListingSplit.recursive(directory));
        }
        splits.add(BlobListingSplit.direct(prefix));
        return splits;
    }
}
