package dev.autoimport.connector.blob.listing;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.autoimport.connector.blob.BlobChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Uploads test blobs and remembers what the service answered, to compare listings against. */
public final class TestBlobs {

    /** A blob to upload: its name, size and metadata (empty for none). */
    public record Spec(String name, int size, Map<String, String> metadata) {}

    private TestBlobs() {}

    /**
     * Uploads every blob, several at a time, and returns the change a listing must emit for each
     * (with {@code eventTimeMillis} left at 0: the listing time is not known in advance).
     */
    public static List<BlobChange> upload(BlobContainerClient container, List<Spec> specs)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<BlobChange>> uploads = new ArrayList<>();
            for (Spec spec : specs) {
                uploads.add(pool.submit(() -> upload(container, spec)));
            }
            List<BlobChange> expected = new ArrayList<>();
            for (Future<BlobChange> upload : uploads) {
                expected.add(upload.get());
            }
            return expected;
        } finally {
            pool.shutdownNow();
        }
    }

    public static BlobChange upload(BlobContainerClient container, Spec spec) {
        BlockBlobSimpleUploadOptions options =
                new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(new byte[spec.size()]))
                        .setMetadata(spec.metadata().isEmpty() ? null : spec.metadata());
        BlockBlobItem item =
                container
                        .getBlobClient(spec.name())
                        .getBlockBlobClient()
                        .uploadWithResponse(options, null, Context.NONE)
                        .getValue();
        return BlobChange.listed(
                spec.name(),
                listingEtag(item.getETag()),
                item.getLastModified().toInstant().toEpochMilli(),
                spec.size(),
                spec.metadata(),
                0);
    }

    /**
     * The etag as a listing (and the change feed) reports it: without the quotes that the service's
     * ETag response header carries.
     */
    public static String listingEtag(String headerEtag) {
        return headerEtag.replace("\"", "");
    }

    /** The change with its listing time cleared, to compare with {@link #upload} results. */
    public static BlobChange withoutListingTime(BlobChange change) {
        return BlobChange.listed(
                change.blobName,
                change.etag,
                change.lastModifiedMillis,
                change.contentLength,
                change.metadata,
                0);
    }
}
