package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The import marker of symbolic links, which cannot carry the {@link ImportMarker} extended
 * attribute (Linux allows no user attributes on links): one record per imported link in the sink's
 * reserved directory, {@code <root>/.auto-import/links/<h:2>/<h>}, where {@code h} is the SHA-256
 * of the link's path. It holds the path, and for the last import the target, the attributes set and
 * the blob version.
 *
 * <p>Why: as with files, the job's state lags behind the tree after a restore, and a link the sink
 * retargeted after the last checkpoint would otherwise look changed in Lustre and be kept forever
 * in skip mode. A link whose target and attributes (kind, owner, group, time to the second) equal
 * its record is exactly as an import left it; a user who retargets, re-creates or chowns it changes
 * the target, the time or the owner. The inode number is left out on purpose: re-creating a link
 * already changes its time, and a record must hold when an entry is renumbered (a migration between
 * Lustre metadata targets gives it a new FID).
 *
 * <p>The record is written before the link is renamed into place, so a link never stands under its
 * name without it. A crash between the two leaves a record of a link that is not there; that is why
 * the record also keeps the description of the link it replaces when an import made that one (the
 * "previous" import), and why a record counts only when it matches the link actually at the path.
 * Records are replaced by one rename, so a reader sees the old one or the new one. A record whose
 * path differs from the one asked for (a hash collision) counts for nothing. A record that outlives
 * its link (the path became a file, or a crash came before {@link #forget}) is harmless: it only
 * ever matches a link identical to one this job imported.
 *
 * <p>Everything here stays inside the reserved directory, which the sink creates private to the
 * job's user: records are staged in the writer's staging directory, and every directory is opened
 * relative to the previous one without following links.
 */
final class LinkMarkers {

    private static final Logger LOG = LoggerFactory.getLogger(LinkMarkers.class);

    /** Under {@link LustrePaths#RESERVED_NAME}; survives restarts, unlike the staging area. */
    static final String DIRECTORY = "links";

    private static final String VERSION = "link-v1";
    private static final String NO_ETAG = "-";

    /** A path and two targets of at most 4,096 bytes, in Base64, fit with room to spare. */
    private static final int MAX_RECORD_BYTES = 64 * 1024;

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final LustreRoot root;
    private final StagingArea staging;

    LinkMarkers(LustreRoot root, StagingArea staging) {
        this.root = root;
        this.staging = staging;
    }

    /** One import of a link: its target, the attributes it set, the blob version it came from. */
    record Imported(String target, PosixAttributes attributes, String etag) {

        /** Whether a link with this target and these {@code lstat} attributes is this import. */
        boolean describes(String actualTarget, PosixAttributes actual) {
            return target.equals(actualTarget)
                    && attributes.kind == FileKind.SYMLINK
                    && attributes.sameAs(actual);
        }
    }

    /** The record of one path: the last import there and, if known, the one before. */
    record Entry(String path, Imported last, Imported previous) {

        Optional<Imported> matching(String actualTarget, PosixAttributes actual) {
            if (last.describes(actualTarget, actual)) {
                return Optional.of(last);
            }
            if (previous != null && previous.describes(actualTarget, actual)) {
                return Optional.of(previous);
            }
            return Optional.empty();
        }
    }

    /**
     * Records the import of the link staged for {@code relativePath}, before it is renamed there.
     * When the link at the path now is one this job imported, its description is kept as the
     * previous import, so it still counts as clean should the rename never happen.
     *
     * @param parent the open parent of the path, empty when parents are still missing (then nothing
     *     stands there yet)
     */
    Optional<Imported> record(
            String relativePath, Imported imported, Optional<ParentDirectory> parent)
            throws IOException {
        Imported previous = null;
        if (parent.isPresent()) {
            previous = importedLinkAt(parent.get()).orElse(null);
        }
        write(new Entry(relativePath, imported, previous));
        return Optional.ofNullable(previous);
    }

    /**
     * Takes back a {@link #record} whose link never reached its name: the record of the link that
     * stands there (the previous import) comes back, or, when none did, the record goes, so that a
     * record and its link always move together.
     */
    void undo(String relativePath, Optional<Imported> previous) {
        if (previous.isEmpty()) {
            forget(relativePath);
            return;
        }
        try {
            write(new Entry(relativePath, previous.get(), null));
        } catch (IOException e) {
            LOG.warn("Could not restore the link marker of '{}'", relativePath, e);
            forget(relativePath);
        }
    }

    private void write(Entry entry) throws IOException {
        String relativePath = entry.path();
        byte[] content = format(entry);
        String name = recordName(relativePath);
        Path staged = staging.newEntryPath();
        boolean placed = false;
        try {
            Files.write(staged, content, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
            try (SecureDirectoryStream<Path> bucket = openBucket(name, true).orElseThrow()) {
                staging.moveInto(staged, bucket, root.path().getFileSystem().getPath(name));
            }
            placed = true;
        } finally {
            if (!placed) {
                staging.discard(staged);
            }
        }
    }

    /**
     * Removes the record of {@code relativePath} once its link is gone or replaced by another kind.
     * Best effort: a record left behind matches no link but one identical to what was imported.
     */
    void forget(String relativePath) {
        String name = recordName(relativePath);
        try {
            Optional<SecureDirectoryStream<Path>> bucket = openBucket(name, false);
            if (bucket.isEmpty()) {
                return;
            }
            try (SecureDirectoryStream<Path> directory = bucket.get()) {
                Path file = root.path().getFileSystem().getPath(name);
                Optional<Entry> entry = readRecord(directory, file);
                // Another path's record under the same hash is not ours to remove; an unreadable
                // one counts for nothing and goes too.
                if (entry.map(e -> e.path().equals(relativePath)).orElse(true)) {
                    directory.deleteFile(file);
                }
            }
        } catch (NoSuchFileException alreadyGone) {
            // The wanted outcome.
        } catch (IOException e) {
            LOG.warn(
                    "Could not remove the link marker of '{}' (harmless: it matches only a link"
                            + " identical to the imported one)",
                    relativePath,
                    e);
        }
    }

    /**
     * The attributes an import of this job set on the link at {@code relativePath}, if its record
     * matches the link there now (target and attributes); empty otherwise, or when the path is not
     * a link. Reads by path, like {@link NamespaceInspector}: the caller checked the parents.
     */
    static Optional<PosixAttributes> importedAttributes(LustreRoot root, String relativePath)
            throws IOException {
        Optional<Entry> entry = read(root, relativePath);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        Path link = root.resolve(relativePath);
        Optional<String> target = readTarget(link);
        Optional<PosixAttributes> actual = NamespaceInspector.lstat(link, relativePath);
        if (target.isEmpty() || actual.isEmpty()) {
            return Optional.empty();
        }
        return entry.get().matching(target.get(), actual.get()).map(Imported::attributes);
    }

    /** The record of {@code relativePath}, if there is a readable one for that very path. */
    static Optional<Entry> read(LustreRoot root, String relativePath) throws IOException {
        String name = recordName(relativePath);
        Optional<SecureDirectoryStream<Path>> bucket = openBucket(root, name, false);
        if (bucket.isEmpty()) {
            return Optional.empty();
        }
        try (SecureDirectoryStream<Path> directory = bucket.get()) {
            return readRecord(directory, root.path().getFileSystem().getPath(name))
                    .filter(entry -> entry.path().equals(relativePath));
        }
    }

    /** The description of the link now at the parent's entry, if an import of this job made it. */
    private Optional<Imported> importedLinkAt(ParentDirectory parent) throws IOException {
        Optional<BasicFileAttributes> existing = parent.entryAttributes();
        if (existing.isEmpty() || !existing.get().isSymbolicLink()) {
            return Optional.empty();
        }
        Optional<Entry> entry = read(root, parent.relativePath());
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> target = readTarget(parent.absolutePath());
        Optional<PosixAttributes> actual =
                NamespaceInspector.lstat(parent.absolutePath(), parent.relativePath());
        if (target.isEmpty() || actual.isEmpty()) {
            return Optional.empty();
        }
        return entry.get().matching(target.get(), actual.get());
    }

    private static Optional<String> readTarget(Path link) throws IOException {
        try {
            return Optional.of(Files.readSymbolicLink(link).toString());
        } catch (NoSuchFileException | NotLinkException changedMeanwhile) {
            return Optional.empty();
        }
    }

    private Optional<SecureDirectoryStream<Path>> openBucket(String name, boolean create)
            throws IOException {
        return openBucket(root, name, create);
    }

    /**
     * Opens {@code .auto-import/links/<bucket>} from the root, one directory at a time without
     * following links; creates the last two when {@code create} (the staging area made the first).
     *
     * @return empty when a directory is missing or not a directory and {@code create} is false;
     *     never empty when {@code create} is true
     */
    private static Optional<SecureDirectoryStream<Path>> openBucket(
            LustreRoot root, String name, boolean create) throws IOException {
        Path reserved = root.path().resolve(LustrePaths.RESERVED_NAME);
        Path[] steps = {
            reserved.getFileName(),
            reserved.getFileSystem().getPath(DIRECTORY),
            reserved.getFileSystem().getPath(bucket(name))
        };
        DirectoryStream<Path> opened = Files.newDirectoryStream(root.path());
        if (!(opened instanceof SecureDirectoryStream)) {
            opened.close();
            throw new IOException(
                    "this platform cannot open directories relative to each other (openat)");
        }
        SecureDirectoryStream<Path> current = (SecureDirectoryStream<Path>) opened;
        try {
            Path byPath = root.path();
            for (int i = 0; i < steps.length; i++) {
                byPath = byPath.resolve(steps[i]);
                SecureDirectoryStream<Path> child;
                try {
                    child = current.newDirectoryStream(steps[i], NOFOLLOW);
                } catch (NoSuchFileException missing) {
                    if (!create) {
                        return Optional.empty();
                    }
                    if (i == 0) {
                        // The staging area made it: gone means the file system went away.
                        throw missing;
                    }
                    // No mkdirat in Java: by path, inside the reserved directory, which only the
                    // job's user can change, and opened without following links right after.
                    createPrivateDirectory(byPath);
                    child = current.newDirectoryStream(steps[i], NOFOLLOW);
                } catch (FileSystemException notADirectory) {
                    if (!create) {
                        // Nothing this job wrote: the sink says what is wrong when it writes.
                        return Optional.empty();
                    }
                    throw new IOException(
                            byPath
                                    + " is not a directory (a link or a file?); the sink keeps its"
                                    + " link markers there: move it away",
                            notADirectory);
                }
                current.close();
                current = child;
            }
            SecureDirectoryStream<Path> bucket = current;
            current = null;
            return Optional.of(bucket);
        } finally {
            if (current != null) {
                current.close();
            }
        }
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        try {
            Files.createDirectory(
                    directory,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException createdByAnotherWriter) {
            // Opened without following links next, which tells a directory from anything else.
        }
    }

    private static Optional<Entry> readRecord(SecureDirectoryStream<Path> directory, Path file)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_RECORD_BYTES);
        try (SeekableByteChannel channel =
                directory.newByteChannel(
                        file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // Reads the whole record, or as much as a valid one can be.
            }
        } catch (NoSuchFileException none) {
            return Optional.empty();
        } catch (FileSystemException notAFile) {
            // A link planted here (O_NOFOLLOW gives ELOOP) or a directory: no record.
            return Optional.empty();
        }
        if (!buffer.hasRemaining()) {
            return Optional.empty();
        }
        buffer.flip();
        return parse(StandardCharsets.US_ASCII.decode(buffer).toString());
    }

    /** The record's file name: the path's SHA-256, in hex. */
    static String recordName(String relativePath) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(relativePath.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** 256 buckets, so that no directory grows too large with the number of links. */
    private static String bucket(String name) {
        return name.substring(0, 2);
    }

    /**
     * Three or four ASCII lines: the version, the path, the last import, the previous one; strings
     * in Base64 (paths and targets may hold spaces and newlines), attributes as {@link
     * ImportMarker} writes them.
     */
    static byte[] format(Entry entry) {
        StringBuilder s = new StringBuilder();
        s.append(VERSION).append('\n').append(encode(entry.path())).append('\n');
        s.append(format(entry.last())).append('\n');
        if (entry.previous() != null) {
            s.append(format(entry.previous())).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String format(Imported imported) {
        return encode(imported.target())
                + ' '
                + (imported.etag() == null ? NO_ETAG : encode(imported.etag()))
                + ' '
                + ImportMarker.format(imported.attributes());
    }

    static Optional<Entry> parse(String content) {
        String[] lines = content.split("\n", -1);
        // A complete record ends with a newline: the last element is empty.
        if ((lines.length != 4 && lines.length != 5)
                || !lines[lines.length - 1].isEmpty()
                || !VERSION.equals(lines[0])) {
            return Optional.empty();
        }
        try {
            String path = decode(lines[1]);
            Optional<Imported> last = parseImported(lines[2]);
            Optional<Imported> previous =
                    lines.length == 5 ? parseImported(lines[3]) : Optional.empty();
            if (last.isEmpty() || (lines.length == 5 && previous.isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(new Entry(path, last.get(), previous.orElse(null)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Imported> parseImported(String line) {
        String[] f = line.split(" ", 3);
        if (f.length != 3) {
            return Optional.empty();
        }
        String etag = NO_ETAG.equals(f[1]) ? null : decode(f[1]);
        return ImportMarker.parse(f[2])
                .map(attributes -> new Imported(decode(f[0]), attributes, etag));
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
