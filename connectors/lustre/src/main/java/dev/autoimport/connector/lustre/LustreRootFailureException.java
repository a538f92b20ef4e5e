package dev.autoimport.connector.lustre;

import java.io.IOException;

/**
 * The file system under the Lustre root failed (full, read-only, gone, unreachable): no action can
 * succeed, so the sink fails the job instead of reporting every blob as an error. Flink restarts
 * the job from the last completed checkpoint, which never includes unfinished writes.
 */
public class LustreRootFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    public LustreRootFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
