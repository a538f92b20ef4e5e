package dev.autoimport.job;

import com.azure.core.util.FluxUtil;
import com.azure.storage.blob.BlobAsyncClient;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.models.BlobDownloadAsyncResponse;
import com.azure.storage.blob.models.BlobDownloadHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.lustre.BlobVersion;
import dev.autoimport.connector.lustre.ContentSource;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import reactor.core.Exceptions;

/**
 * File and link content from the blob service: one GET per blob. The GET's answer carries the
 * blob's etag, Last-Modified, length and metadata in its headers, so a change whose metadata is
 * unknown (a change-feed event) learns them from its own download instead of a properties request.
 * A GET conditional on an etag fails fast (412) when the blob moved on, and a body cut off mid-way
 * resumes from where it stopped, still conditional on the same etag.
 */
public final class BlobContentSource implements ContentSource {

    private static final long serialVersionUID = 1L;

    /** Resumed range requests after a body was cut off, beyond the client's own request retries. */
    static final int MAX_RESUMES = 5;

    private final BlobStorageConfig storage;

    public BlobContentSource(BlobStorageConfig storage) {
        this.storage = storage;
    }

    @Override
    public Reader open() {
        return new BlobReader(storage.containerAsyncClient());
    }

    private static final class BlobReader implements Reader {
        private final BlobContainerAsyncClient container;

        BlobReader(BlobContainerAsyncClient container) {
            this.container = container;
        }

        @Override
        public void copyTo(String blobName, String etag, OutputStream out) throws IOException {
            try (Download download = open(blobName, etag)) {
                download.copyTo(out);
            }
        }

        @Override
        public Download open(String blobName, String etag) throws IOException {
            BlobRequestConditions conditions = new BlobRequestConditions();
            if (etag != null) {
                conditions.setIfMatch(etag);
            }
            BlobAsyncClient blob = container.getBlobAsyncClient(blobName);
            BlobDownloadAsyncResponse response;
            try {
                response =
                        blob.downloadStreamWithResponse(
                                        null,
                                        new DownloadRetryOptions().setMaxRetryRequests(MAX_RESUMES),
                                        conditions,
                                        false)
                                .block();
            } catch (RuntimeException e) {
                throw failure(blobName, etag, e);
            }
            if (response == null) {
                throw new IOException("download of blob '" + blobName + "' gave no answer");
            }
            return new BlobDownload(blobName, etag, response);
        }

        @Override
        public Optional<BlobVersion> currentVersion(String blobName) throws IOException {
            BlobProperties p;
            try {
                p = container.getBlobAsyncClient(blobName).getProperties().block();
            } catch (RuntimeException e) {
                IOException failure = failure(blobName, null, e);
                if (failure instanceof BlobGoneException) {
                    return Optional.empty();
                }
                throw failure;
            }
            if (p == null) {
                return Optional.empty();
            }
            return Optional.of(
                    new BlobVersion(
                            blobName,
                            unquoted(p.getETag()),
                            millis(p.getLastModified()),
                            p.getBlobSize(),
                            p.getMetadata()));
        }
    }

    private static final class BlobDownload implements Download {
        private final String blobName;
        private final String etag;
        private final BlobDownloadAsyncResponse response;
        private final BlobVersion version;

        BlobDownload(String blobName, String askedEtag, BlobDownloadAsyncResponse response) {
            this.blobName = blobName;
            BlobDownloadHeaders h = response.getDeserializedHeaders();
            this.etag = unquoted(h.getETag());
            this.response = response;
            Long length = h.getContentLength();
            Map<String, String> metadata = h.getMetadata();
            this.version =
                    new BlobVersion(
                            blobName,
                            etag != null ? etag : askedEtag,
                            millis(h.getLastModified()),
                            length == null ? -1 : length,
                            metadata == null ? Map.of() : metadata);
        }

        @Override
        public BlobVersion version() {
            return version;
        }

        @Override
        public void copyTo(OutputStream out) throws IOException {
            WriteFailureRecorder target = new WriteFailureRecorder(out);
            try {
                FluxUtil.writeToOutputStream(response.getValue(), target).block();
            } catch (RuntimeException e) {
                if (target.failure != null) {
                    // Lustre's failure, not the service's: the sink tells a full disk from a blob.
                    throw target.failure;
                }
                throw failure(blobName, etag, e);
            }
        }

        @Override
        public void close() {
            try {
                response.close();
            } catch (IOException | RuntimeException ignored) {
                // The connection is dropped instead of returned to the pool: nothing to lose.
            }
        }
    }

    /** Remembers the failure of the stream written to, so it is not taken for the network's. */
    private static final class WriteFailureRecorder extends FilterOutputStream {
        IOException failure;

        WriteFailureRecorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Turns the client's failure into the sink's vocabulary. */
    static IOException failure(String blobName, String etag, RuntimeException e) {
        Throwable cause = Exceptions.unwrap(e);
        if (cause instanceof UncheckedIOException) {
            cause = cause.getCause();
        }
        if (cause instanceof BlobStorageException) {
            BlobStorageException b = (BlobStorageException) cause;
            if (b.getStatusCode() == 404) {
                return new BlobGoneException("blob '" + blobName + "' no longer exists", b);
            }
            if (b.getStatusCode() == 412) {
                return new BlobChangedException(
                        "blob '"
                                + blobName
                                + "' is no longer at version "
                                + etag
                                + " (it changed after it was listed or announced)",
                        b);
            }
            String what =
                    "download of blob '"
                            + blobName
                            + "' failed with HTTP "
                            + b.getStatusCode()
                            + " ("
                            + b.getErrorCode()
                            + ")";
            int status = b.getStatusCode();
            if (status == 401 || status == 403) {
                return new SourceUnavailableException(
                        what + ": check the credential and its access to the container", b);
            }
            if (status == 408 || status == 429 || status >= 500) {
                return new TransientSourceException(what, b);
            }
            return new IOException(what, b);
        }
        // No answer at all (a reset connection, a timeout, a body cut off past the resumes): the
        // network's fault, which passes.
        return new TransientSourceException(
                "download of blob '" + blobName + "' failed: " + cause, cause);
    }

    private static long millis(OffsetDateTime time) {
        return time == null ? 0 : time.toInstant().toEpochMilli();
    }

    /** Listings and the change feed give etags bare; blob properties give them quoted. */
    static String unquoted(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }
}
