package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;

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

        @Override
        default void close() {}
    }

    /** The blob is gone, or changed since the decision: an error for that blob, not the job. */
    class ContentGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        public ContentGoneException(String message, Throwable cause) {
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
