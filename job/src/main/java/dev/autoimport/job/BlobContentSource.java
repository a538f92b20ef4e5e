package dev.autoimport.job;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.lustre.ContentSource;
import java.io.IOException;
import java.io.OutputStream;

/**
 * File and link content from the blob service: one GET per blob, conditional on the etag the
 * decision saw, so that the bytes written always belong to the attributes recorded for them.
 */
public final class BlobContentSource implements ContentSource {

    private static final long serialVersionUID = 1L;

    private final BlobStorageConfig storage;

    public BlobContentSource(BlobStorageConfig storage) {
        this.storage = storage;
    }

    @Override
    public Reader open() {
        BlobContainerClient container = storage.containerClient();
        return (blobName, etag, out) -> copy(container, blobName, etag, out);
    }

    private static void copy(
            BlobContainerClient container, String blobName, String etag, OutputStream out)
            throws IOException {
        BlobRequestConditions conditions = new BlobRequestConditions();
        if (etag != null) {
            conditions.setIfMatch(etag);
        }
        try {
            container
                    .getBlobClient(blobName)
                    .downloadStreamWithResponse(
                            out, null, null, conditions, false, null, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                throw new ContentSource.ContentGoneException(
                        "blob '" + blobName + "' no longer exists", e);
            }
            if (e.getStatusCode() == 412) {
                throw new ContentSource.ContentGoneException(
                        "blob '"
                                + blobName
                                + "' changed after it was listed (etag "
                                + etag
                                + "); the newer version is imported by its own change",
                        e);
            }
            throw new IOException(
                    "download of blob '"
                            + blobName
                            + "' failed with HTTP "
                            + e.getStatusCode()
                            + " ("
                            + e.getErrorCode()
                            + ")",
                    e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
