package dev.autoimport.connector.blob.listing;

import com.azure.core.http.rest.PagedIterable;
import com.azure.core.http.rest.PagedResponse;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Lists one page of a container at a time, so that callers can checkpoint between pages.
 *
 * <p>Metadata is requested with the listing itself: walking the container costs one request per
 * page, never one per blob.
 */
@Internal
public final class BlobPageLister {

    /** The delimiter that makes '/' separate virtual directories. */
    public static final String DELIMITER = "/";

    private final BlobContainerClient container;
    private final int pageSize;

    public BlobPageLister(BlobContainerClient container, int pageSize) {
        this.container = container;
        this.pageSize = pageSize;
    }

    /** One page of a listing, and the marker of the next page ({@code null} after the last). */
    public record Page(List<BlobItem> items, @Nullable String nextMarker) {}

    /**
     * Lists the page that {@code marker} points at ({@code null}: the first page) of the blobs
     * whose names start with {@code prefix}. A recursive listing returns every such blob; a
     * hierarchical one returns the blobs with no '/' after the prefix and, marked by {@link
     * BlobItem#isPrefix()}, one entry per virtual directory below it.
     */
    public Page listPage(String prefix, boolean recursive, @Nullable String marker) {
        ListBlobsOptions options =
                new ListBlobsOptions()
                        .setPrefix(prefix.isEmpty() ? null : prefix)
                        .setMaxResultsPerPage(pageSize)
                        .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        try {
            PagedIterable<BlobItem> listing =
                    recursive
                            ? container.listBlobs(options, null)
                            : container.listBlobsByHierarchy(DELIMITER, options, null);
            PagedResponse<BlobItem> page = listing.iterableByPage(marker).iterator().next();
            String next = page.getContinuationToken();
            return new Page(page.getValue(), next == null || next.isEmpty() ? null : next);
        } catch (BlobStorageException e) {
            if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
                throw new IllegalStateException(
                        "Container '"
                                + container.getBlobContainerName()
                                + "' does not exist at "
                                + container.getAccountUrl()
                                + ". Create it, or point the job at the container to import.",
                        e);
            }
            throw e;
        }
    }
}
