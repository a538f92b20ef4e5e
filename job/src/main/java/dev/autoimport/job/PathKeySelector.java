package dev.autoimport.job;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.lustre.LustreAction;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys changes by the path they touch, so that one path's changes meet in one subtask, in order. A
 * directory marker {@code a/} and a folder blob {@code a} touch the same path {@code a}.
 */
public final class PathKeySelector implements KeySelector<BlobChange, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(BlobChange change) {
        return keyOf(change.blobName);
    }

    /** The same key for the actions decided from a change: by the blob they came from. */
    public static final class OfActions implements KeySelector<LustreAction, String> {

        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(LustreAction action) {
            return keyOf(action.blobName);
        }
    }

    public static String keyOf(String blobName) {
        return blobName.endsWith("/") ? blobName.substring(0, blobName.length() - 1) : blobName;
    }
}
