package dev.autoimport.connector.lustre;

/**
 * An entry of another kind is in the way: a file where a parent directory should be, a non-empty
 * directory where a file or link should go, or another kind when the action may not replace it.
 */
public class PathConflictException extends BlobPathException {
    private static final long serialVersionUID = 1L;

    public PathConflictException(String path, String reason) {
        super(path, "'" + path + "': " + reason);
    }
}
