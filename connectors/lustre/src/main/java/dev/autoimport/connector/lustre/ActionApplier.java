package dev.autoimport.connector.lustre;

import dev.autoimport.connector.lustre.ContentSource.ContentGoneException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Carries out one {@link LustreAction} on the tree. It decides nothing: conflicts were resolved
 * upstream, and {@link LustreAction#replace} says whether an entry of another kind may go.
 *
 * <p>Files and links are built complete in the staging area, with their final owner, mode and time,
 * and renamed into place: a reader sees the old entry or the new one, never a partial one, and a
 * failure leaves nothing behind.
 *
 * <p>Files are not fsynced by default. A crash of the task manager process loses nothing: the
 * kernel holds what was written, and Flink replays whatever the last checkpoint does not cover.
 * Only a crash of the machine's operating system (or an evicted Lustre client with dirty pages)
 * could leave the latest files renamed but without their data, even ones a completed checkpoint
 * counts; {@code syncFiles} closes that window at the cost of one round trip to the storage servers
 * per file.
 */
final class ActionApplier implements EntryApplier {

    /**
     * The longest target Linux stores: {@code PATH_MAX} (4,096) counts the terminating NUL, and
     * {@code symlink(2)} refuses 4,096 bytes with ENAMETOOLONG.
     */
    static final int MAX_LINK_TARGET_BYTES = 4095;

    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    private final LustreRoot root;
    private final StagingArea staging;
    private final LinkMarkers linkMarkers;
    private final ContentSource.Reader content;
    private final PosixAttributes defaultDirectory;
    private final boolean syncFiles;

    ActionApplier(
            LustreRoot root,
            StagingArea staging,
            ContentSource.Reader content,
            PosixAttributes defaultDirectory,
            boolean syncFiles) {
        this.root = root;
        this.staging = staging;
        this.linkMarkers = new LinkMarkers(root, staging);
        this.content = content;
        this.defaultDirectory = defaultDirectory;
        this.syncFiles = syncFiles;
    }

    @Override
    public void apply(LustreAction action, ContentSource.Download download) throws IOException {
        switch (action.operation) {
            case WRITE_FILE:
                writeFile(action, download);
                break;
            case MAKE_SYMLINK:
                makeSymlink(action, download);
                break;
            case MAKE_DIRECTORY:
                makeDirectory(action);
                break;
            case DELETE:
                delete(action);
                break;
            case NONE:
                break;
            default:
                throw new IllegalArgumentException("unknown operation in " + action);
        }
    }

    private void writeFile(LustreAction action, ContentSource.Download download)
            throws IOException {
        PosixAttributes wanted = requireAttributes(action);
        placeStagedEntry(
                action,
                FileKind.FILE,
                (staged, parent) -> {
                    download(action, download, staged, wanted.size);
                    PosixAttributeSetter.applyToFileOrDirectory(staged, wanted);
                });
    }

    private void download(
            LustreAction action, ContentSource.Download download, Path staged, long expectedSize)
            throws IOException {
        try (FileChannel channel =
                        FileChannel.open(
                                staged,
                                StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE,
                                LinkOption.NOFOLLOW_LINKS);
                StagingOutputStream out =
                        new StagingOutputStream(
                                new BufferedOutputStream(
                                        Channels.newOutputStream(channel), COPY_BUFFER_BYTES),
                                expectedSize,
                                () -> sizeMismatch(action, expectedSize, "more than"))) {
            copyContent(action, download, out);
            out.flush();
            if (out.count() != expectedSize) {
                throw sizeMismatch(action, expectedSize, out.count() + " bytes instead of");
            }
            if (syncFiles) {
                channel.force(true);
            }
        }
    }

    private void makeSymlink(LustreAction action, ContentSource.Download download)
            throws IOException {
        PosixAttributes wanted = requireAttributes(action);
        List<Optional<LinkMarkers.Imported>> recorded = new ArrayList<>(1);
        try {
            placeStagedEntry(
                    action,
                    FileKind.SYMLINK,
                    (staged, parent) -> {
                        Path target = readLinkTarget(action, download, wanted.size);
                        Files.createSymbolicLink(staged, target);
                        PosixAttributeSetter.applyToLink(staged, wanted);
                        // Before the rename, as a file's marker: the link never stands under its
                        // name without a record that tells it from one changed in Lustre.
                        recorded.add(
                                linkMarkers.record(
                                        action.path,
                                        new LinkMarkers.Imported(
                                                target.toString(), wanted, action.etag),
                                        parent));
                    });
        } catch (IOException | RuntimeException e) {
            if (!recorded.isEmpty()) {
                // The link never reached its name: neither does its record.
                linkMarkers.undo(action.path, recorded.get(0));
            }
            throw e;
        }
    }

    /** Builds an entry completely in the staging area. */
    @FunctionalInterface
    private interface Stager {
        /**
         * @param parent the entry's open parent, empty when parents are created only afterwards
         */
        void stage(Path staged, Optional<ParentDirectory> parent) throws IOException;
    }

    /**
     * Stages the entry and renames it into place. When the parents exist, what is in the way is
     * checked before staging, so that a conflict costs no transfer; missing parents are created
     * only once the entry is staged, so that a failed download leaves no directories behind.
     */
    private void placeStagedEntry(LustreAction action, FileKind kind, Stager stager)
            throws IOException {
        Path staged = staging.newEntryPath();
        boolean placed = false;
        try {
            Optional<ParentDirectory> existingParent = root.openExistingParent(action.path);
            if (existingParent.isPresent()) {
                try (ParentDirectory parent = existingParent.get()) {
                    checkNotInTheWay(parent, kind, action.replace);
                    stager.stage(staged, existingParent);
                    moveIntoPlace(staged, parent, kind, action.replace);
                }
            } else {
                stager.stage(staged, Optional.empty());
                try (ParentDirectory parent =
                        root.openOrCreateParent(action.path, defaultDirectory)) {
                    moveIntoPlace(staged, parent, kind, action.replace);
                }
            }
            placed = true;
        } finally {
            if (!placed) {
                staging.discard(staged);
            }
        }
    }

    private void moveIntoPlace(Path staged, ParentDirectory parent, FileKind kind, boolean replace)
            throws IOException {
        boolean replacesLink = makeRoom(parent, kind, replace);
        staging.moveInto(staged, parent);
        if (replacesLink) {
            linkMarkers.forget(parent.relativePath());
        }
    }

    private Path readLinkTarget(
            LustreAction action, ContentSource.Download download, long expectedSize)
            throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        StagingOutputStream out =
                new StagingOutputStream(
                        buffer,
                        MAX_LINK_TARGET_BYTES,
                        () ->
                                new InvalidLinkTargetException(
                                        action.blobName,
                                        "the target is longer than "
                                                + MAX_LINK_TARGET_BYTES
                                                + " bytes"));
        copyContent(action, download, out);
        byte[] bytes = buffer.toByteArray();
        if (bytes.length != expectedSize) {
            throw sizeMismatch(action, expectedSize, bytes.length + " bytes instead of");
        }
        if (bytes.length == 0) {
            throw new InvalidLinkTargetException(action.blobName, "the target is empty");
        }
        String target;
        try {
            target =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidLinkTargetException(action.blobName, "the target is not UTF-8");
        }
        Path path;
        try {
            path = root.path().getFileSystem().getPath(target);
        } catch (InvalidPathException e) {
            throw new InvalidLinkTargetException(
                    action.blobName, "the target is not a valid path: " + e.getReason());
        }
        if (!path.toString().equals(target)) {
            // Java drops repeated and trailing '/'; a silently different target would later look
            // like a link changed in Lustre.
            throw new InvalidLinkTargetException(
                    action.blobName,
                    "the target '"
                            + target
                            + "' has repeated or trailing '/', which cannot be stored exactly");
        }
        return path;
    }

    private void makeDirectory(LustreAction action) throws IOException {
        PosixAttributes wanted = requireAttributes(action);
        try (ParentDirectory parent = root.openOrCreateParent(action.path, defaultDirectory)) {
            Optional<BasicFileAttributes> existing = parent.entryAttributes();
            if (existing.isPresent() && !existing.get().isDirectory()) {
                if (!action.replace) {
                    throw new PathConflictException(
                            action.path, "is " + describe(existing.get()) + "; not replacing it");
                }
                parent.deleteNonDirectory();
                if (existing.get().isSymbolicLink()) {
                    linkMarkers.forget(action.path);
                }
                existing = Optional.empty();
            }
            Path directory = parent.absolutePath();
            synchronized (LustreRoot.directoryLock(directory)) {
                boolean created = false;
                if (existing.isEmpty()) {
                    try {
                        Files.createDirectory(directory);
                        created = true;
                    } catch (FileAlreadyExistsException createdMeanwhile) {
                        Optional<BasicFileAttributes> now = parent.entryAttributes();
                        if (now.isEmpty() || !now.get().isDirectory()) {
                            throw createdMeanwhile;
                        }
                    }
                }
                try {
                    PosixAttributeSetter.applyToFileOrDirectory(directory, wanted);
                } catch (IOException e) {
                    if (created) {
                        removeCreatedDirectory(parent, e);
                    }
                    throw e;
                }
            }
        }
    }

    private void delete(LustreAction action) throws IOException {
        Optional<ParentDirectory> found = root.openExistingParent(action.path);
        if (found.isEmpty()) {
            return;
        }
        try (ParentDirectory parent = found.get()) {
            Optional<BasicFileAttributes> existing = parent.entryAttributes();
            if (existing.isEmpty()) {
                return;
            }
            try {
                if (existing.get().isDirectory()) {
                    parent.deleteEmptyDirectory();
                } else {
                    parent.deleteNonDirectory();
                    if (existing.get().isSymbolicLink()) {
                        linkMarkers.forget(action.path);
                    }
                }
            } catch (DirectoryNotEmptyException keptForItsEntries) {
                // A directory is removed only when empty; its entries' own deletions come as
                // their own actions.
            } catch (NoSuchFileException alreadyGone) {
                // The wanted outcome.
            }
        }
    }

    private void copyContent(
            LustreAction action, ContentSource.Download download, StagingOutputStream out)
            throws IOException {
        try {
            if (download != null) {
                download.copyTo(out);
            } else {
                content.copyTo(action.blobName, action.etag, out);
            }
        } catch (IOException | RuntimeException e) {
            IOException own = out.failure();
            if (own != null && own != e) {
                own.addSuppressed(e);
                throw own;
            }
            throw e;
        }
    }

    /** Fails early, before any transfer, when the entry at the path may not be replaced. */
    private static void checkNotInTheWay(ParentDirectory parent, FileKind kind, boolean replace)
            throws IOException {
        Optional<BasicFileAttributes> existing = entryToReplace(parent, kind, replace);
        if (existing.isPresent()
                && existing.get().isDirectory()
                && !parent.entryIsEmptyDirectory()) {
            throw nonEmptyDirectory(parent);
        }
    }

    /**
     * Checks again just before the rename and removes an empty directory in the way: rename
     * replaces files and links by itself, but never puts a file or link over a directory.
     *
     * @return whether the rename replaces a link with another kind (its marker must go)
     */
    private static boolean makeRoom(ParentDirectory parent, FileKind kind, boolean replace)
            throws IOException {
        Optional<BasicFileAttributes> existing = entryToReplace(parent, kind, replace);
        if (existing.isPresent() && existing.get().isDirectory()) {
            try {
                parent.deleteEmptyDirectory();
            } catch (DirectoryNotEmptyException filledMeanwhile) {
                throw nonEmptyDirectory(parent);
            }
        }
        return existing.isPresent() && existing.get().isSymbolicLink();
    }

    /**
     * The entry of another kind that the action is about to replace, or empty when the path is free
     * or holds the same kind (which the rename replaces).
     *
     * @throws PathConflictException if there is one and the action may not replace it
     */
    private static Optional<BasicFileAttributes> entryToReplace(
            ParentDirectory parent, FileKind kind, boolean replace) throws IOException {
        Optional<BasicFileAttributes> existing = parent.entryAttributes();
        if (existing.isEmpty() || kindOf(existing.get()) == kind) {
            return Optional.empty();
        }
        if (!replace) {
            throw new PathConflictException(
                    parent.relativePath(), "is " + describe(existing.get()) + "; not replacing it");
        }
        return existing;
    }

    private static void removeCreatedDirectory(ParentDirectory parent, IOException cause) {
        try {
            parent.deleteEmptyDirectory();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static PathConflictException nonEmptyDirectory(ParentDirectory parent) {
        return new PathConflictException(
                parent.relativePath(),
                "is a non-empty directory; a non-empty directory is never removed");
    }

    private static FileKind kindOf(BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            return FileKind.SYMLINK;
        }
        if (attributes.isDirectory()) {
            return FileKind.DIRECTORY;
        }
        return attributes.isRegularFile() ? FileKind.FILE : null;
    }

    private static String describe(BasicFileAttributes attributes) {
        FileKind kind = kindOf(attributes);
        if (kind == null) {
            return "a special file";
        }
        switch (kind) {
            case SYMLINK:
                return "a symbolic link";
            case DIRECTORY:
                return "a directory";
            default:
                return "a file";
        }
    }

    private static PosixAttributes requireAttributes(LustreAction action) {
        if (action.attributes == null) {
            throw new IllegalArgumentException("no attributes in " + action);
        }
        return action.attributes;
    }

    private static ContentGoneException sizeMismatch(
            LustreAction action, long expectedSize, String got) {
        return new ContentGoneException(
                "blob '"
                        + action.blobName
                        + "' (etag "
                        + action.etag
                        + ") delivered "
                        + got
                        + " the "
                        + expectedSize
                        + " bytes expected; it changed since the decision",
                null);
    }
}
