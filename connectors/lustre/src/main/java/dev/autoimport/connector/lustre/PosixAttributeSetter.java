package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Sets owner, group, mode and modification time on one entry without following a link at its last
 * component.
 *
 * <p>The order matters: chown first, because Linux clears set-user-ID and set-group-ID on chown;
 * then the time, because setting it opens the entry, which a restrictive mode could forbid a
 * non-root job; the mode last. Owner and group are changed only when they differ, so a non-root job
 * importing entries owned by itself never needs a privilege it lacks; when it does, the
 * EPERM/EACCES surfaces as an error for that blob.
 */
final class PosixAttributeSetter {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private PosixAttributeSetter() {}

    /**
     * Owner, group, modification time and mode of a file or directory, then the {@link
     * ImportMarker} that records them.
     */
    static void applyToFileOrDirectory(Path entry, PosixAttributes wanted) throws IOException {
        applyOwner(entry, wanted);
        applyModificationTime(entry, wanted);
        applyMode(entry, wanted.mode);
        ImportMarker.write(entry, wanted);
    }

    /** Owner, group and modification time of the link itself: Linux ignores a link's mode. */
    static void applyToLink(Path link, PosixAttributes wanted) throws IOException {
        applyOwner(link, wanted);
        applyModificationTime(link, wanted);
    }

    /**
     * Owner, group and mode only, for directories the sink creates as parents: their time changes
     * whenever an entry is added, so setting it would mean nothing.
     */
    static void applyOwnerAndMode(Path directory, PosixAttributes wanted) throws IOException {
        applyOwner(directory, wanted);
        applyMode(directory, wanted.mode);
    }

    private static void applyOwner(Path entry, PosixAttributes wanted) throws IOException {
        Map<String, Object> current = Files.readAttributes(entry, "unix:uid,gid", NOFOLLOW);
        if ((Integer) current.get("uid") != wanted.uid) {
            Files.setAttribute(entry, "unix:uid", wanted.uid, NOFOLLOW);
        }
        if ((Integer) current.get("gid") != wanted.gid) {
            Files.setAttribute(entry, "unix:gid", wanted.gid, NOFOLLOW);
        }
    }

    private static void applyModificationTime(Path entry, PosixAttributes wanted)
            throws IOException {
        Files.getFileAttributeView(entry, BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(FileTime.fromMillis(wanted.mtimeMillis), null, null);
    }

    private static void applyMode(Path entry, int mode) throws IOException {
        // "unix:mode" carries the set-user-ID, set-group-ID and sticky bits that
        // PosixFilePermission cannot express.
        Files.setAttribute(entry, "unix:mode", mode & 07777, NOFOLLOW);
    }
}
