package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attributes an import set, stored with the entry itself as the extended attribute {@code
 * user.auto-import}, so that the job recognizes its own work from the tree alone.
 *
 * <p>Why: the sink writes before the checkpoint that records the import completes. After a restore,
 * the job's state can lag behind the tree; without the marker, a file imported after the last
 * checkpoint would look changed in Lustre ("dirty") and be kept forever in skip mode. An entry
 * whose current attributes equal its marker is exactly as an import of this job left it: a user who
 * edits the file changes its size or time, and one who chmods it changes its mode.
 *
 * <p>Files get the marker while staged, so it appears with the file in one rename; directories
 * after their attributes are set. Links cannot carry it (Linux allows no user attributes on links):
 * their marker is a record in the sink's reserved directory, {@link LinkMarkers}, which also
 * compares the target. A file system without user extended attributes gets no file or directory
 * markers, and the job falls back to its state, which is exact except after a restore.
 */
public final class ImportMarker {

    private static final Logger LOG = LoggerFactory.getLogger(ImportMarker.class);
    private static final String NAME = "auto-import";
    private static final String VERSION = "v1";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private static volatile boolean unsupportedLogged;

    private ImportMarker() {}

    /** Marks a file or directory with the attributes the import just set on it. */
    static void write(Path entry, PosixAttributes imported) throws IOException {
        String value = format(imported);
        try {
            view(entry).write(NAME, StandardCharsets.US_ASCII.encode(value));
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (isUnsupported(e)) {
                logUnsupportedOnce(entry, e);
                return;
            }
            throw e;
        }
    }

    /** The attributes the last import set on this entry, if it carries a readable marker. */
    static Optional<PosixAttributes> read(Path entry) {
        try {
            UserDefinedFileAttributeView view = view(entry);
            if (!view.list().contains(NAME)) {
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.allocate(view.size(NAME));
            view.read(NAME, buffer);
            buffer.flip();
            return parse(StandardCharsets.US_ASCII.decode(buffer).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** The marker's value, also the attribute part of a {@link LinkMarkers} record. */
    static String format(PosixAttributes imported) {
        return String.join(
                " ",
                VERSION,
                imported.kind.name(),
                Long.toString(imported.size),
                Long.toString(imported.mtimeMillis),
                Integer.toString(imported.mode),
                Integer.toString(imported.uid),
                Integer.toString(imported.gid));
    }

    static Optional<PosixAttributes> parse(String value) {
        String[] f = value.trim().split(" ");
        if (f.length != 7 || !VERSION.equals(f[0])) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new PosixAttributes(
                            FileKind.valueOf(f[1]),
                            Long.parseLong(f[2]),
                            Long.parseLong(f[3]),
                            Integer.parseInt(f[4]),
                            Integer.parseInt(f[5]),
                            Integer.parseInt(f[6])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static UserDefinedFileAttributeView view(Path entry) {
        UserDefinedFileAttributeView view =
                java.nio.file.Files.getFileAttributeView(
                        entry, UserDefinedFileAttributeView.class, NOFOLLOW);
        if (view == null) {
            throw new UnsupportedOperationException("no user extended attributes");
        }
        return view;
    }

    private static boolean isUnsupported(Exception e) {
        if (e instanceof UnsupportedOperationException) {
            return true;
        }
        String reason = ((FileSystemException) e).getReason();
        return reason != null && reason.contains("not supported");
    }

    private static void logUnsupportedOnce(Path entry, Exception e) {
        if (!unsupportedLogged) {
            unsupportedLogged = true;
            LOG.warn(
                    "The file system under {} keeps no user extended attributes ({}); imports are"
                            + " recognized from the job's state only, which lags after a restore."
                            + " Mount Lustre with user_xattr to close that gap.",
                    entry.getParent(),
                    e.getMessage());
        }
    }
}
