package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The Lustre root and the confinement of every path below it.
 *
 * <p>Nothing below the root is trusted: blobs create symbolic links, and users of the file system
 * change the tree while the sink works. So parents are never reached by path. The sink walks from
 * the root one component at a time, opening each directory relative to the previous one with {@code
 * O_NOFOLLOW} ({@link SecureDirectoryStream}), and places, replaces and removes entries relative to
 * the parent's descriptor. A parent that is a link is an {@link UnsafePathException}, one that is
 * not a directory a {@link PathConflictException}; either way the walk stops, so no write ever goes
 * through a link, even if a directory is swapped for one while the sink works.
 *
 * <p>Java offers no {@code mkdirat}, and no {@code fchmod} for the set-ID and sticky bits, so
 * directories are created, and their owner, mode and time set, by path right after their parents
 * were verified, with {@code O_NOFOLLOW} on the last component. A local user who can rename
 * directories inside the tree and wins that race could redirect such a directory change; file
 * content and links never, as they are placed through the verified descriptor. The root itself is
 * resolved once, with links (operators mount or link it where they like).
 */
public final class LustreRoot {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /**
     * How often a walk step retries when the tree changes under it (a parent removed meanwhile).
     */
    private static final int WALK_ATTEMPTS = 3;

    private final Path root;

    /**
     * @param root an absolute path to an existing directory
     * @throws IllegalArgumentException if the path is not absolute
     * @throws IOException if it is not an existing directory
     */
    public LustreRoot(Path root) throws IOException {
        if (root == null || !root.isAbsolute()) {
            throw new IllegalArgumentException(
                    "Lustre root '" + root + "' must be an absolute path");
        }
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(
                    root.toString(),
                    null,
                    "the Lustre root is not an existing directory on this machine");
        }
        this.root = root.toRealPath();
    }

    /**
     * What makes a directory unusable as the sink's root, or empty when it is usable: it must be an
     * absolute path to an existing directory that this process can write, on a file system with
     * POSIX attributes, in a JVM that encodes file names as UTF-8.
     */
    public static Optional<String> findProblem(Path root) {
        if (root == null || !root.isAbsolute()) {
            return Optional.of("Lustre root '" + root + "' must be an absolute path");
        }
        if (!Files.exists(root)) {
            return Optional.of(
                    "Lustre root "
                            + root
                            + " does not exist on this machine; create it, or check that the"
                            + " file system is mounted there");
        }
        if (!Files.isDirectory(root)) {
            return Optional.of("Lustre root " + root + " is not a directory");
        }
        if (!Files.isWritable(root)) {
            return Optional.of(
                    "Lustre root "
                            + root
                            + " is not writable by this process (uid "
                            + NamespaceInspector.currentUid()
                            + "); grant write permission, or check that the file system is not"
                            + " mounted read-only");
        }
        Optional<String> encoding =
                fileNameEncodingProblem(System.getProperty("sun.jnu.encoding", "UTF-8"));
        if (encoding.isPresent()) {
            return encoding;
        }
        try {
            if (!Files.getFileStore(root).supportsFileAttributeView("unix")) {
                return Optional.of(
                        "Lustre root "
                                + root
                                + " is on a file system without POSIX owners and modes");
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
                if (!(stream instanceof SecureDirectoryStream)) {
                    return Optional.of(
                            "this platform cannot open directories relative to each other"
                                    + " (openat), which the sink needs to never follow links");
                }
            }
        } catch (IOException e) {
            return Optional.of("Lustre root " + root + " cannot be read: " + e.getMessage());
        }
        return Optional.empty();
    }

    static Optional<String> fileNameEncodingProblem(String fileNameEncoding) {
        boolean utf8;
        try {
            utf8 = Charset.forName(fileNameEncoding).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException unknownCharset) {
            utf8 = false;
        }
        return utf8
                ? Optional.empty()
                : Optional.of(
                        "this JVM encodes file names as "
                                + fileNameEncoding
                                + ", so blob names outside ASCII cannot become paths; start it"
                                + " in a UTF-8 locale (for example LC_ALL=C.UTF-8)");
    }

    /** The root directory, links resolved. */
    public Path path() {
        return root;
    }

    /**
     * The absolute path of {@code relativePath}, after checking it against {@link LustrePaths}:
     * always under the root. Use it to read or to name; writes go through {@link
     * #openOrCreateParent}.
     */
    public Path resolve(String relativePath) throws UnsafePathException {
        return root.resolve(LustrePaths.checkRelativePath(relativePath));
    }

    /**
     * Makes sure every parent of {@code relativePath} is a real directory, creating missing ones
     * with the owner, group and mode of {@code defaultDirectory}. Safe against other threads or
     * subtasks creating the same parents at the same time.
     *
     * @throws UnsafePathException if a parent is a symbolic link
     * @throws PathConflictException if a parent is a file or other non-directory
     */
    public void ensureParentDirectories(String relativePath, PosixAttributes defaultDirectory)
            throws IOException {
        openOrCreateParent(relativePath, defaultDirectory).close();
    }

    /**
     * Whether every parent of {@code relativePath} exists as a directory; {@code false} if one is
     * missing. Reads only ({@code lstat} per component), for inspection.
     *
     * @throws UnsafePathException if a parent is a symbolic link
     * @throws PathConflictException if a parent is a file or other non-directory
     */
    public boolean parentsExist(String relativePath) throws IOException {
        String[] names = LustrePaths.checkRelativePath(relativePath).split("/");
        Path current = root;
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < names.length - 1; i++) {
            appendComponent(prefix, names[i]);
            current = current.resolve(names[i]);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(current, BasicFileAttributes.class, NOFOLLOW);
            } catch (NoSuchFileException e) {
                return false;
            }
            requireDirectory(relativePath, prefix.toString(), attributes);
        }
        return true;
    }

    /**
     * Opens the parent of {@code relativePath}, creating missing directories on the way.
     *
     * @throws UnsafePathException if a parent is a symbolic link
     * @throws PathConflictException if a parent is a file or other non-directory
     */
    ParentDirectory openOrCreateParent(String relativePath, PosixAttributes defaultDirectory)
            throws IOException {
        return walkToParent(relativePath, defaultDirectory);
    }

    /**
     * Opens the parent of {@code relativePath} if every parent exists.
     *
     * @throws UnsafePathException if a parent is a symbolic link
     * @throws PathConflictException if a parent is a file or other non-directory
     */
    Optional<ParentDirectory> openExistingParent(String relativePath) throws IOException {
        return Optional.ofNullable(walkToParent(relativePath, null));
    }

    /** Returns {@code null} when a parent is missing and {@code createWith} is null. */
    private ParentDirectory walkToParent(String relativePath, PosixAttributes createWith)
            throws IOException {
        String[] names = LustrePaths.checkRelativePath(relativePath).split("/");
        SecureDirectoryStream<Path> current = openRoot();
        try {
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < names.length - 1; i++) {
                appendComponent(prefix, names[i]);
                SecureDirectoryStream<Path> child =
                        openChild(current, relativePath, prefix.toString(), names[i], createWith);
                current.close();
                current = child;
                if (current == null) {
                    return null;
                }
            }
            ParentDirectory parent =
                    new ParentDirectory(
                            current,
                            relativePath,
                            names[names.length - 1],
                            root.resolve(relativePath));
            current = null;
            return parent;
        } finally {
            if (current != null) {
                current.close();
            }
        }
    }

    private SecureDirectoryStream<Path> openRoot() throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(root);
        if (stream instanceof SecureDirectoryStream) {
            return (SecureDirectoryStream<Path>) stream;
        }
        stream.close();
        throw new IOException(
                "this platform cannot open directories relative to each other (openat)");
    }

    private SecureDirectoryStream<Path> openChild(
            SecureDirectoryStream<Path> parent,
            String relativePath,
            String prefix,
            String component,
            PosixAttributes createWith)
            throws IOException {
        Path name = root.getFileSystem().getPath(component);
        for (int attempt = 1; ; attempt++) {
            Optional<BasicFileAttributes> attributes = ParentDirectory.lstat(parent, name);
            if (attributes.isEmpty()) {
                if (createWith == null) {
                    return null;
                }
                createDirectory(root.resolve(prefix), createWith);
                if (attempt < WALK_ATTEMPTS) {
                    continue;
                }
                throw new NoSuchFileException(
                        root.resolve(prefix).toString(), null, "removed as soon as created");
            }
            requireDirectory(relativePath, prefix, attributes.get());
            try {
                return parent.newDirectoryStream(name, NOFOLLOW);
            } catch (NoSuchFileException removedMeanwhile) {
                if (attempt >= WALK_ATTEMPTS) {
                    throw removedMeanwhile;
                }
            } catch (FileSystemException changedMeanwhile) {
                // Replaced by a link or a file between lstat and open: say which.
                Optional<BasicFileAttributes> now = ParentDirectory.lstat(parent, name);
                if (now.isPresent()) {
                    requireDirectory(relativePath, prefix, now.get());
                }
                throw changedMeanwhile;
            }
        }
    }

    /**
     * The lock under which a directory is created and given its attributes. A file's missing parent
     * is created with the default attributes while another writer thread may be importing that
     * directory's own blob; without the lock the default mode could be set after the blob's. Java
     * has no way to create a directory with its owner and mode in one step. Writers in other
     * TaskManagers are not covered: there the blob's directory can keep the default attributes
     * until its next change (a mode the umask leaves alone makes it rarer still).
     */
    static Object directoryLock(Path directory) {
        return DIRECTORY_LOCKS[Math.floorMod(directory.hashCode(), DIRECTORY_LOCKS.length)];
    }

    private static final Object[] DIRECTORY_LOCKS = new Object[64];

    static {
        for (int i = 0; i < DIRECTORY_LOCKS.length; i++) {
            DIRECTORY_LOCKS[i] = new Object();
        }
    }

    private static void createDirectory(Path directory, PosixAttributes attributes)
            throws IOException {
        synchronized (directoryLock(directory)) {
            try {
                Files.createDirectory(directory);
            } catch (FileAlreadyExistsException createdByAnotherWriter) {
                return;
            }
            try {
                PosixAttributeSetter.applyOwnerAndMode(directory, attributes);
            } catch (IOException e) {
                try {
                    Files.delete(directory);
                } catch (IOException alreadyInUse) {
                    e.addSuppressed(alreadyInUse);
                }
                throw e;
            }
        }
    }

    private static void requireDirectory(
            String relativePath, String parent, BasicFileAttributes attributes)
            throws BlobPathException {
        if (attributes.isSymbolicLink()) {
            throw new UnsafePathException(
                    relativePath, "parent '" + parent + "' is a symbolic link; not following it");
        }
        if (!attributes.isDirectory()) {
            throw new PathConflictException(
                    relativePath,
                    "parent '"
                            + parent
                            + "' is "
                            + (attributes.isRegularFile() ? "a file" : "a special file")
                            + ", not a directory");
        }
    }

    private static void appendComponent(StringBuilder prefix, String name) {
        if (prefix.length() > 0) {
            prefix.append('/');
        }
        prefix.append(name);
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
