package dev.autoimport.connector.lustre;

import java.io.IOException;

/**
 * A problem with one path, not with the file system: the blob that maps to it cannot be imported,
 * and the job goes on. {@link UnsafePathException} and {@link PathConflictException} say which
 * kind.
 */
public abstract class BlobPathException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String path;

    protected BlobPathException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** The blob name or relative path the problem is about. */
    public String path() {
        return path;
    }
}
