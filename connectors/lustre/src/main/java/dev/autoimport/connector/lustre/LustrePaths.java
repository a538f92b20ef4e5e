package dev.autoimport.connector.lustre;

import java.nio.charset.StandardCharsets;

/**
 * The path rules, in one place: which blob names may become paths under the Lustre root, and how.
 *
 * <p>A blob name split on '/' is the path below the root. The limits are Linux's ({@code NAME_MAX},
 * {@code PATH_MAX}) in UTF-8 bytes, measured on the relative path; components that would let a path
 * climb out of the root or alias another one are rejected rather than normalised, so that two
 * different blobs never write to the same file.
 */
public final class LustrePaths {

    /**
     * The top-level name the sink keeps for itself (its staging area and the import markers of
     * links); no blob may use it.
     */
    public static final String RESERVED_NAME = ".auto-import";

    public static final int MAX_NAME_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;

    private LustrePaths() {}

    /**
     * Maps a blob name to a path relative to the root: one trailing '/' (a directory marker) is
     * dropped, the rest must pass every rule.
     *
     * @throws UnsafePathException naming the blob and the rule it breaks
     */
    public static String toRelativePath(String blobName) throws UnsafePathException {
        if (blobName == null || blobName.isEmpty()) {
            throw new UnsafePathException(String.valueOf(blobName), "the blob name is empty");
        }
        String path =
                isDirectoryMarkerName(blobName)
                        ? blobName.substring(0, blobName.length() - 1)
                        : blobName;
        check(blobName, path);
        return path;
    }

    /**
     * Re-checks a path that should already be the output of {@link #toRelativePath}: no trailing
     * '/' is allowed here.
     *
     * @return the path itself
     * @throws UnsafePathException if it breaks a rule
     */
    public static String checkRelativePath(String relativePath) throws UnsafePathException {
        if (relativePath == null) {
            throw new UnsafePathException("null", "no path given");
        }
        check(relativePath, relativePath);
        return relativePath;
    }

    /** Whether a blob name ends with '/', the convention for a directory marker blob. */
    public static boolean isDirectoryMarkerName(String blobName) {
        return blobName.endsWith("/");
    }

    private static void check(String subject, String path) throws UnsafePathException {
        if (path.isEmpty()) {
            throw new UnsafePathException(subject, "it names the root itself");
        }
        if (path.indexOf('\0') >= 0) {
            throw new UnsafePathException(subject, "it contains a NUL character");
        }
        if (hasUnpairedSurrogate(path)) {
            // Would be encoded as '?' and could collide with another blob's file.
            throw new UnsafePathException(subject, "it is not valid Unicode");
        }
        int pathBytes = utf8Length(path);
        if (pathBytes > MAX_PATH_BYTES) {
            throw new UnsafePathException(
                    subject,
                    "the path is " + pathBytes + " bytes in UTF-8; the limit is " + MAX_PATH_BYTES);
        }
        String[] components = path.split("/", -1);
        for (int i = 0; i < components.length; i++) {
            String component = components[i];
            if (component.isEmpty()) {
                throw new UnsafePathException(
                        subject,
                        i == 0
                                ? "it starts with '/'"
                                : "it has an empty component ('//' or more than one trailing '/')");
            }
            if (component.equals(".") || component.equals("..")) {
                throw new UnsafePathException(subject, "it has a '" + component + "' component");
            }
            int componentBytes = utf8Length(component);
            if (componentBytes > MAX_NAME_BYTES) {
                throw new UnsafePathException(
                        subject,
                        "component "
                                + (i + 1)
                                + " is "
                                + componentBytes
                                + " bytes in UTF-8; the limit is "
                                + MAX_NAME_BYTES);
            }
        }
        if (components[0].equals(RESERVED_NAME)) {
            throw new UnsafePathException(
                    subject,
                    "'"
                            + RESERVED_NAME
                            + "' at the top level is reserved for the sink's staging area and link markers");
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
