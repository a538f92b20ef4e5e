package dev.autoimport.connector.lustre;

/**
 * A name that breaks the path rules of {@link LustrePaths}, or a path that can only be reached
 * through a symbolic link inside the namespace, which the sink never follows.
 */
public class UnsafePathException extends BlobPathException {
    private static final long serialVersionUID = 1L;

    public UnsafePathException(String path, String reason) {
        super(path, "'" + path + "': " + reason);
    }
}
