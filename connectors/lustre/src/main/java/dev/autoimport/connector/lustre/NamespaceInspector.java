package dev.autoimport.connector.lustre;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what is at a path under the root, the way the sink would see it: without following links,
 * and only if the path can be reached without following one.
 *
 * <p>A path whose parent is a symbolic link or a file is not "missing": nothing can be imported
 * there. {@link #inspect} throws the same {@link UnsafePathException} (parent is a link) or {@link
 * PathConflictException} (parent is not a directory) the sink would report, so the caller can tell
 * "free to import" ({@code Optional.empty()}) from "unreachable".
 *
 * <p>Reading goes by path after a per-component {@code lstat} of the parents: a concurrent change
 * of the tree can at worst make it read another entry's attributes, never write anything.
 */
public final class NamespaceInspector {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    private final LustreRoot root;

    public NamespaceInspector(LustreRoot root) {
        this.root = root;
    }

    /**
     * The attributes of the entry at {@code relativePath}, as {@code lstat} reports them: mode with
     * the {@code 07777} bits, numeric owner and group, modification time, size (a link's is the
     * byte length of its target, a directory's 0).
     *
     * @return empty if nothing is there, or if a parent is missing
     * @throws UnsafePathException if the path breaks the rules or a parent is a symbolic link
     * @throws PathConflictException if a parent is not a directory, or the entry is a special file
     *     (fifo, socket, device), which the mirror never creates or replaces
     */
    public Optional<PosixAttributes> inspect(String relativePath) throws IOException {
        if (!root.parentsExist(relativePath)) {
            return Optional.empty();
        }
        return lstat(root.resolve(relativePath), relativePath);
    }

    /**
     * The attributes an import of this job last set on the entry, from its {@link ImportMarker}, or
     * for a link from its {@link LinkMarkers} record when that matches the link's target; empty
     * when there is none (never imported, a link changed since, or a file or directory on a file
     * system without user extended attributes).
     *
     * @throws UnsafePathException if the path breaks the rules or a parent is a symbolic link
     * @throws PathConflictException if a parent is not a directory
     */
    public Optional<PosixAttributes> importedAttributes(String relativePath) throws IOException {
        if (!root.parentsExist(relativePath)) {
            return Optional.empty();
        }
        Path entry = root.resolve(relativePath);
        Optional<PosixAttributes> marker = ImportMarker.read(entry);
        // Files first: they are the many; a link has no extended attribute to find.
        if (marker.isPresent() || !Files.isSymbolicLink(entry)) {
            return marker;
        }
        return LinkMarkers.importedAttributes(root, relativePath);
    }

    /** {@code lstat} of an absolute path; empty if nothing is there. */
    static Optional<PosixAttributes> lstat(Path entry, String relativePath) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(entry, "unix:*", NOFOLLOW);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int mode = (Integer) unix.get("mode");
        FileKind kind = kindOf(relativePath, mode);
        long size = kind == FileKind.DIRECTORY ? 0 : (Long) unix.get("size");
        return Optional.of(
                new PosixAttributes(
                        kind,
                        size,
                        ((FileTime) unix.get("lastModifiedTime")).toMillis(),
                        mode & 07777,
                        (Integer) unix.get("uid"),
                        (Integer) unix.get("gid")));
    }

    /**
     * Whether {@code relativePath} is a directory (not a link to one) without entries; {@code
     * false} when missing or of another kind.
     *
     * @throws UnsafePathException if the path breaks the rules or a parent is a symbolic link
     * @throws PathConflictException if a parent is not a directory
     */
    public boolean isEmptyDirectory(String relativePath) throws IOException {
        if (!root.parentsExist(relativePath)) {
            return false;
        }
        Path path = root.resolve(relativePath);
        if (!Files.isDirectory(path, NOFOLLOW)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            return !entries.iterator().hasNext();
        } catch (NoSuchFileException | NotDirectoryException changedMeanwhile) {
            return false;
        }
    }

    /** The numeric user ID the job runs as: the default owner of what it imports. */
    public static int currentUid() {
        return (int) new UnixSystem().getUid();
    }

    /** The numeric primary group ID the job runs as: the default group of what it imports. */
    public static int currentGid() {
        return (int) new UnixSystem().getGid();
    }

    private static FileKind kindOf(String relativePath, int mode) throws PathConflictException {
        switch (mode & S_IFMT) {
            case S_IFREG:
                return FileKind.FILE;
            case S_IFDIR:
                return FileKind.DIRECTORY;
            case S_IFLNK:
                return FileKind.SYMLINK;
            default:
                throw new PathConflictException(
                        relativePath,
                        "is a special file (fifo, socket or device); the mirror leaves it alone");
        }
    }
}
