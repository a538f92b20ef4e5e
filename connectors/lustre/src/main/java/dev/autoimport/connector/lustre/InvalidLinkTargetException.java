package dev.autoimport.connector.lustre;

import java.io.IOException;

/**
 * A link blob's content cannot be a symbolic link target: too long, empty, not UTF-8, or not
 * storable exactly. An error for that blob only.
 */
public class InvalidLinkTargetException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidLinkTargetException(String blobName, String reason) {
        super("link blob '" + blobName + "': " + reason);
    }
}
