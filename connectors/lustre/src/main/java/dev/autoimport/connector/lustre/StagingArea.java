package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer's staging directory, {@code <root>/.auto-import/staging/<parallelism>-<subtask>}:
 * where files and links are built before being renamed into place. It sits on the same file system
 * as the tree, so the rename is atomic, and under a name no blob can take ({@link
 * LustrePaths#RESERVED_NAME}), created private to the job's user.
 *
 * <p>What a crash left behind is removed when a writer starts: each writer empties its own
 * directory, and subtask 0 removes those of writers from another parallelism (before a rescale),
 * which no running writer uses. Closing removes the directory, and the reserved one once nothing
 * else is in it: the import markers of links ({@link LinkMarkers}) live beside the staging
 * directories and are never removed here.
 */
final class StagingArea implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StagingArea.class);
    private static final String STAGING = "staging";
    private static final Pattern WRITER_DIRECTORY = Pattern.compile("(\\d+)-(\\d+)");

    private final Path reserved;
    private final Path staging;
    private final Path directory;
    private final SecureDirectoryStream<Path> stream;
    private final AtomicLong entryCounter = new AtomicLong();

    private StagingArea(
            Path reserved, Path staging, Path directory, SecureDirectoryStream<Path> stream) {
        this.reserved = reserved;
        this.staging = staging;
        this.directory = directory;
        this.stream = stream;
    }

    static StagingArea open(LustreRoot root, int subtaskIndex, int parallelism) throws IOException {
        Path reserved = root.path().resolve(LustrePaths.RESERVED_NAME);
        Path staging = reserved.resolve(STAGING);
        Path directory = staging.resolve(parallelism + "-" + subtaskIndex);
        createPrivateDirectory(reserved);
        createPrivateDirectory(staging);
        deleteRecursively(directory);
        if (subtaskIndex == 0) {
            deleteOtherParallelisms(staging, parallelism);
        }
        createPrivateDirectory(directory);
        DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
        if (!(stream instanceof SecureDirectoryStream)) {
            stream.close();
            throw new IOException(
                    "this platform cannot open directories relative to each other (openat)");
        }
        return new StagingArea(reserved, staging, directory, (SecureDirectoryStream<Path>) stream);
    }

    /** A fresh path in the staging directory, not yet created. */
    Path newEntryPath() {
        return directory.resolve("entry-" + entryCounter.incrementAndGet());
    }

    /**
     * Atomically renames a staged entry to the entry of {@code target}, replacing what is there.
     */
    void moveInto(Path staged, ParentDirectory target) throws IOException {
        target.moveIn(stream, staged.getFileName());
    }

    /**
     * Atomically renames a staged entry to {@code name} in {@code directory}, replacing what is
     * there: for the sink's own records under the reserved directory.
     */
    void moveInto(Path staged, SecureDirectoryStream<Path> directory, Path name)
            throws IOException {
        stream.move(staged.getFileName(), directory, name);
    }

    /** Removes a staged entry if it is still there (after a failure). */
    void discard(Path staged) {
        try {
            Files.deleteIfExists(staged);
        } catch (IOException e) {
            LOG.warn("Could not remove staged entry {}; the next start removes it", staged, e);
        }
    }

    /** Whether the staging directory is still there: it vanishes with an unmounted file system. */
    boolean isPresent() {
        return Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS);
    }

    Path directory() {
        return directory;
    }

    /** Closes the directory and removes it, then the reserved directory once no writer uses it. */
    @Override
    public void close() throws IOException {
        stream.close();
        deleteRecursively(directory);
        deleteIfEmpty(staging);
        deleteIfEmpty(reserved);
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        try {
            Files.createDirectory(
                    directory,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException existing) {
            // Another writer made it, or a crash left it: check what it is below.
        }
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(
                    directory
                            + " is not a directory (a link or a file?); the sink reserves '"
                            + LustrePaths.RESERVED_NAME
                            + "' under the Lustre root for its staging area: move it away");
        }
    }

    private static void deleteOtherParallelisms(Path staging, int parallelism) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(staging)) {
            for (Path entry : entries) {
                Matcher writer = WRITER_DIRECTORY.matcher(entry.getFileName().toString());
                if (writer.matches() && !writer.group(1).equals(Integer.toString(parallelism))) {
                    LOG.info("Removing staging leftovers of a writer before a rescale: {}", entry);
                    deleteRecursively(entry);
                }
            }
        }
    }

    private static void deleteIfEmpty(Path directory) {
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException stillInUse) {
            // Another writer's staging directory is still in it.
        } catch (IOException e) {
            LOG.warn("Could not remove {}", directory, e);
        }
    }

    /** Removes a tree without following links (a link in it is removed, not its target). */
    static void deleteRecursively(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(
                top,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                            throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException error)
                            throws IOException {
                        if (error != null && !(error instanceof NoSuchFileException)) {
                            throw error;
                        }
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException error)
                            throws IOException {
                        if (error instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw error;
                    }
                });
    }
}
