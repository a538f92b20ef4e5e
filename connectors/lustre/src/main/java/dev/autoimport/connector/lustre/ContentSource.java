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
         * @throws IOException on other failures, after the client's own retries
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
}
