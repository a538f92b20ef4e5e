package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The open parent directory of one entry, reached from the root without following links. Every
 * operation on the entry goes through the parent's descriptor ({@code fstatat}, {@code unlinkat},
 * {@code renameat}), so it acts on that directory even if the tree above it changes meanwhile.
 */
final class ParentDirectory implements AutoCloseable {

    private final SecureDirectoryStream<Path> directory;
    private final String relativePath;
    private final Path name;
    private final Path absolutePath;

    ParentDirectory(
            SecureDirectoryStream<Path> directory,
            String relativePath,
            String name,
            Path absolutePath) {
        this.directory = directory;
        this.relativePath = relativePath;
        this.name = absolutePath.getFileSystem().getPath(name);
        this.absolutePath = absolutePath;
    }

    /** The entry's path relative to the root. */
    String relativePath() {
        return relativePath;
    }

    /**
     * The entry's absolute path. Safe for reading and for changing the entry itself without
     * following a link at it; never use it to reach anything below the entry.
     */
    Path absolutePath() {
        return absolutePath;
    }

    /** The entry's attributes, not following a link; empty if it does not exist. */
    Optional<BasicFileAttributes> entryAttributes() throws IOException {
        return lstat(directory, name);
    }

    /** Whether the entry is a directory (not a link to one) without entries. */
    boolean entryIsEmptyDirectory() throws IOException {
        try (SecureDirectoryStream<Path> entries =
                directory.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            return !entries.iterator().hasNext();
        }
    }

    /** Removes the entry when it is a file, link or special file. */
    void deleteNonDirectory() throws IOException {
        directory.deleteFile(name);
    }

    /**
     * Removes the entry when it is an empty directory.
     *
     * @throws java.nio.file.DirectoryNotEmptyException if it has entries (checked by the kernel,
     *     atomically with the removal)
     */
    void deleteEmptyDirectory() throws IOException {
        directory.deleteDirectory(name);
    }

    /** Atomically renames {@code stagedName} in {@code staging} to this entry, replacing it. */
    void moveIn(SecureDirectoryStream<Path> staging, Path stagedName) throws IOException {
        staging.move(stagedName, directory, name);
    }

    @Override
    public void close() throws IOException {
        directory.close();
    }

    static Optional<BasicFileAttributes> lstat(SecureDirectoryStream<Path> directory, Path name)
            throws IOException {
        try {
            return Optional.of(
                    directory
                            .getFileAttributeView(
                                    name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
