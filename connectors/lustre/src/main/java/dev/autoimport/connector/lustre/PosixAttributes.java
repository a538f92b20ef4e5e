package dev.autoimport.connector.lustre;

import java.util.Objects;

/**
 * The POSIX attributes of one path: either what an import sets, or what {@code lstat} found.
 *
 * <p>A Flink POJO so that it travels in records and keyed state without Kryo. {@link #mode} holds
 * the permission bits including set-user-ID, set-group-ID and sticky (mask {@code 07777}).
 */
public class PosixAttributes {

    public FileKind kind;

    /** Bytes of a file, length of a link's target; 0 for directories. */
    public long size;

    /** Modification time in epoch milliseconds. */
    public long mtimeMillis;

    /** Permission bits, {@code 07777} mask. */
    public int mode;

    public int uid;
    public int gid;

    public PosixAttributes() {}

    public PosixAttributes(FileKind kind, long size, long mtimeMillis, int mode, int uid, int gid) {
        this.kind = kind;
        this.size = size;
        this.mtimeMillis = mtimeMillis;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
    }

    public PosixAttributes copy() {
        return new PosixAttributes(kind, size, mtimeMillis, mode, uid, gid);
    }

    /**
     * Whether two states are the same as far as the mirror can tell without reading data: kind,
     * mode and owner always; size and modification time (to the second, the precision Lustre and
     * Last-Modified share) for files and links only, since a directory's size and time change
     * whenever an entry is added.
     */
    public boolean sameAs(PosixAttributes other) {
        if (other == null || kind != other.kind) {
            return false;
        }
        if (mode != other.mode || uid != other.uid || gid != other.gid) {
            return false;
        }
        if (kind == FileKind.DIRECTORY) {
            return true;
        }
        return size == other.size
                && Math.floorDiv(mtimeMillis, 1000) == Math.floorDiv(other.mtimeMillis, 1000);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PosixAttributes)) {
            return false;
        }
        PosixAttributes that = (PosixAttributes) o;
        return size == that.size
                && mtimeMillis == that.mtimeMillis
                && mode == that.mode
                && uid == that.uid
                && gid == that.gid
                && kind == that.kind;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, size, mtimeMillis, mode, uid, gid);
    }

    @Override
    public String toString() {
        return String.format(
                "%s size=%d mtime=%d mode=%04o owner=%d:%d",
                kind, size, mtimeMillis, mode, uid, gid);
    }
}
