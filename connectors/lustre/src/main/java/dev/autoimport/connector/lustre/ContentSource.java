package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Optional;

/**
 * Where file and link content comes from (the blob service, in the job). Serializable so that the
 * sink can open its own reader on each task manager.
 */
public interface ContentSource extends Serializable {

    Reader open();

    /** Reads one blob version's bytes. Thread-safe: the sink downloads many blobs at once. */
    interface Reader extends AutoCloseable {

        /**
         * Writes the content of {@code blobName} at version {@code etag} to {@code out}.
         *
         * @throws ContentGoneException if the blob no longer exists or is no longer that version
         * @throws SourceUnavailableException if the service itself cannot be used (credential lost,
         *     account unreachable after retries): the sink fails the job
         * @throws IOException on other failures of this one blob, after the client's own retries:
         *     the sink reports them as an error for that blob
         */
        void copyTo(String blobName, String etag, OutputStream out) throws IOException;

        /**
         * Starts the download of {@code blobName}: one request, whose answer tells the blob's
         * version before any byte of content is read. The caller reads the content with {@link
         * Download#copyTo} or drops it with {@link Download#close}.
         *
         * @param etag the version to read; null for whatever version is current
         * @throws BlobGoneException if the blob does not exist
         * @throws BlobChangedException if the blob is no longer at {@code etag}
         * @throws SourceUnavailableException as {@link #copyTo}
         * @throws IOException as {@link #copyTo}
         */
        default Download open(String blobName, String etag) throws IOException {
            throw new UnsupportedOperationException(
                    "this content source reads no versions; give the sink one that does");
        }

        /**
         * The blob's current version (one properties request), or empty when it does not exist.
         *
         * @throws SourceUnavailableException as {@link #copyTo}
         * @throws IOException as {@link #copyTo}
         */
        default Optional<BlobVersion> currentVersion(String blobName) throws IOException {
            throw new UnsupportedOperationException(
                    "this content source reads no versions; give the sink one that does");
        }

        @Override
        default void close() {}
    }

    /** A download whose answer has arrived: the version is known, the content not read yet. */
    interface Download extends AutoCloseable {

        BlobVersion version();

        /** Writes the whole content to {@code out}; at most once. */
        void copyTo(OutputStream out) throws IOException;

        /** Releases the connection; drops the content if it was not read. */
        @Override
        void close();
    }

    /** The blob is gone, or changed since the decision: an error for that blob, not the job. */
    class ContentGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        public ContentGoneException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The service failed for a reason that passes (throttling, a 5xx answer, a timeout, a reset
     * connection) even after the client's own retries: the sink tries the blob again later.
     */
    class TransientSourceException extends IOException {
        private static final long serialVersionUID = 1L;

        public TransientSourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The blob does not exist (any more). */
    class BlobGoneException extends ContentGoneException {
        private static final long serialVersionUID = 1L;

        public BlobGoneException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The blob exists at another version than the one asked for. */
    class BlobChangedException extends ContentGoneException {
        private static final long serialVersionUID = 1L;

        public BlobChangedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The content source as a whole cannot serve any blob (for example the credential was lost).
     * The sink fails the job rather than count every following blob as an error; Flink's restart
     * strategy takes over.
     */
    class SourceUnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        public SourceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
