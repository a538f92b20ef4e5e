package dev.autoimport.connector.lustre;

import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import java.nio.charset.StandardCharsets;

/** Actions as the job would send them, with the job's own user as owner unless said otherwise. */
final class TestActions {

    static final long MTIME = 1_600_000_000_123L;

    private TestActions() {}

    static LustreAction writeFile(String path, String etag, String content) {
        return writeFile(path, etag, content.getBytes(StandardCharsets.UTF_8).length, 0644);
    }

    static LustreAction writeFile(String path, String etag, long size, int mode) {
        return action(Operation.WRITE_FILE, path, etag, attributes(FileKind.FILE, size, mode));
    }

    static LustreAction makeSymlink(String path, String etag, String target) {
        return action(
                Operation.MAKE_SYMLINK,
                path,
                etag,
                attributes(FileKind.SYMLINK, target.getBytes(StandardCharsets.UTF_8).length, 0777));
    }

    static LustreAction makeDirectory(String path, int mode) {
        return action(
                Operation.MAKE_DIRECTORY, path, "d1", attributes(FileKind.DIRECTORY, 0, mode));
    }

    static LustreAction delete(String path) {
        return action(Operation.DELETE, path, null, null);
    }

    static LustreAction none(String path) {
        return action(Operation.NONE, path, null, null);
    }

    static LustreAction replacing(LustreAction action) {
        action.replace = true;
        return action;
    }

    static LustreAction ownedBy(LustreAction action, int uid, int gid) {
        action.attributes.uid = uid;
        action.attributes.gid = gid;
        return action;
    }

    static PosixAttributes attributes(FileKind kind, long size, int mode) {
        return new PosixAttributes(
                kind,
                size,
                MTIME,
                mode,
                NamespaceInspector.currentUid(),
                NamespaceInspector.currentGid());
    }

    private static LustreAction action(
            Operation operation, String path, String etag, PosixAttributes attributes) {
        // Blob names mirror paths here; directory blobs carry the marker slash.
        String blobName = operation == Operation.MAKE_DIRECTORY ? path + "/" : path;
        return LustreAction.of(
                operation, path, blobName, etag, attributes, "fullSync", Report.APPLY);
    }
}
