package dev.autoimport.job;

import dev.autoimport.connector.lustre.FileKind;
import dev.autoimport.connector.lustre.LustrePaths;
import dev.autoimport.connector.lustre.PosixAttributes;
import java.util.List;
import java.util.Map;

/**
 * How one blob becomes one namespace entry (SPEC section 3): its kind and the exact attributes the
 * import sets, known before anything is written.
 */
public final class BlobEntry {

    /** The longest symbolic-link target accepted, in bytes. */
    public static final int MAX_LINK_TARGET = 4096;

    public final PosixAttributes attributes;
    public final List<String> warnings;

    private BlobEntry(PosixAttributes attributes, List<String> warnings) {
        this.attributes = attributes;
        this.warnings = warnings;
    }

    public FileKind kind() {
        return attributes.kind;
    }

    /**
     * Maps a blob's listing or properties to the entry it becomes.
     *
     * @throws IllegalArgumentException when the blob cannot become an entry (a link target too long
     *     or empty)
     */
    public static BlobEntry of(
            String blobName,
            long contentLength,
            long lastModifiedMillis,
            Map<String, String> metadata,
            EntryDefaults defaults) {
        PosixMetadata meta = PosixMetadata.parse(metadata);
        FileKind kind;
        if (LustrePaths.isDirectoryMarkerName(blobName)
                || (meta.folderMarker && contentLength == 0)) {
            kind = FileKind.DIRECTORY;
        } else if (meta.symlink) {
            kind = FileKind.SYMLINK;
            if (contentLength <= 0 || contentLength > MAX_LINK_TARGET) {
                throw new IllegalArgumentException(
                        "symbolic-link blob (ftype=LNK) has a target of "
                                + contentLength
                                + " bytes; a target must be 1 to "
                                + MAX_LINK_TARGET
                                + " bytes");
            }
        } else {
            kind = FileKind.FILE;
        }

        int mode;
        if (kind == FileKind.SYMLINK) {
            mode = EntryDefaults.SYMLINK_MODE;
        } else if (meta.mode != null) {
            mode = meta.mode;
            if (!defaults.allowSetuid) {
                mode &= ~06000;
            }
        } else {
            mode =
                    kind == FileKind.DIRECTORY
                            ? EntryDefaults.DIRECTORY_MODE
                            : EntryDefaults.FILE_MODE;
        }
        int uid = meta.uid != null && defaults.canChown ? meta.uid : defaults.uid;
        int gid = meta.gid != null && defaults.canChown ? meta.gid : defaults.gid;
        long mtime = meta.mtimeMillis != null ? meta.mtimeMillis : lastModifiedMillis;
        long size = kind == FileKind.DIRECTORY ? 0 : contentLength;
        return new BlobEntry(new PosixAttributes(kind, size, mtime, mode, uid, gid), meta.warnings);
    }

    /**
     * The attributes of a directory the sink creates as a parent, with no marker blob of its own.
     */
    public static PosixAttributes implicitDirectory(EntryDefaults defaults) {
        return new PosixAttributes(
                FileKind.DIRECTORY, 0, 0, EntryDefaults.DIRECTORY_MODE, defaults.uid, defaults.gid);
    }
}
