package dev.autoimport.connector.lustre;

/**
 * One concrete change to one path under the Lustre root, decided upstream and carried out by {@link
 * LustreSink}.
 *
 * <p>A Flink POJO. {@link #phase} and {@link #report} mean nothing to the sink: it hands them back
 * to the {@link ActionListener} so that the job can count outcomes in one place.
 */
public class LustreAction {

    /** What to do at {@link #path}. */
    public enum Operation {
        /** Download the blob's bytes to a staging file, set attributes, rename into place. */
        WRITE_FILE,
        /** Create the directory if missing and set its attributes. */
        MAKE_DIRECTORY,
        /** Create a symbolic link whose target is the blob's content. */
        MAKE_SYMLINK,
        /** Remove the file or link, or the directory if it is empty. */
        DELETE,
        /** Touch nothing; only report (a pre-existing path, a kept conflict, a rejected blob). */
        NONE
    }

    /** What the decision found, handed back to the listener for counting. */
    public enum Report {
        /** The action imports or deletes as the blob says. */
        APPLY,
        /** The action replaces or deletes a dirty path: a conflict resolved by overwriting. */
        APPLY_CONFLICT,
        /** The path already matched the blob. */
        PREEXISTING,
        /** The path was already as this job last imported it for this blob version. */
        UP_TO_DATE,
        /** A conflict left alone (skip mode). */
        CONFLICT_KEPT,
        /** An event that changes nothing (stale, or for a blob deleted since). */
        IGNORED,
        /** The blob cannot be imported; {@link #error} says why. */
        ERROR
    }

    public Operation operation;

    /** Path relative to the Lustre root, '/'-separated, already validated, no trailing '/'. */
    public String path;

    /** The blob to read content from (files and links), and to name in error logs. */
    public String blobName;

    /** The blob version to read; the download fails if the blob changed since. */
    public String etag;

    /** The attributes the import sets; {@code null} for DELETE and NONE. */
    public PosixAttributes attributes;

    /** Whether an existing entry of another kind, or a dirty one, may be replaced. */
    public boolean replace;

    /** The phase the change belongs to ("fullSync" or "blobSync"), for the listener. */
    public String phase;

    public Report report;

    /** Why the blob cannot be imported, when {@link #report} is ERROR. */
    public String error;

    public LustreAction() {}

    public static LustreAction of(
            Operation operation,
            String path,
            String blobName,
            String etag,
            PosixAttributes attributes,
            String phase,
            Report report) {
        LustreAction a = new LustreAction();
        a.operation = operation;
        a.path = path;
        a.blobName = blobName;
        a.etag = etag;
        a.attributes = attributes;
        a.phase = phase;
        a.report = report;
        return a;
    }

    /** A deep copy: the sink works on its own copy while Flink may reuse the record. */
    public LustreAction copy() {
        LustreAction a =
                of(
                        operation,
                        path,
                        blobName,
                        etag,
                        attributes == null ? null : attributes.copy(),
                        phase,
                        report);
        a.replace = replace;
        a.error = error;
        return a;
    }

    @Override
    public String toString() {
        return operation
                + " "
                + path
                + " (blob "
                + blobName
                + ", "
                + report
                + (error == null ? "" : ": " + error)
                + ")";
    }
}
