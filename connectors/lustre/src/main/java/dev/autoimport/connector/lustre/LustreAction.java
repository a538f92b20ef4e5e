package dev.autoimport.connector.lustre;

import java.util.HashMap;
import java.util.Map;

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
        NONE,
        /**
         * Bring the path in line with the blob, as the {@link SyncPolicy} rules for the path as it
         * is: the sink inspects the path, learns the blob's version from the listing's fields or
         * from its download's answer, asks the policy, and carries out the verdict (as one of the
         * operations above, which the listener then sees).
         */
        SYNC,
        /** The blob was deleted: remove the path if the {@link SyncPolicy} rules so. */
        REMOVE
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

    /**
     * SYNC: the blob's metadata as listed; null when unknown, and then the sink takes the version
     * from the download's answer (which costs no extra request).
     */
    public Map<String, String> metadata;

    /** SYNC: the blob's Last-Modified as listed, epoch milliseconds. */
    public long lastModifiedMillis;

    /** SYNC: the blob's length as listed; -1 when unknown. */
    public long size = -1;

    /**
     * SYNC: whether a blob found at another version than {@link #etag} is imported at its current
     * version (a listed blob changed before its download); otherwise nothing is done, because that
     * newer version's own change follows.
     */
    public boolean importNewerVersion;

    /** SYNC and REMOVE: the blob version the job's record says it imported here; null if none. */
    public String recordedEtag;

    /** SYNC and REMOVE: the attributes the job's record says its last import set; may be null. */
    public PosixAttributes recorded;

    /** SYNC and REMOVE: those of the import before (the record is written ahead of the sink). */
    public PosixAttributes recordedPrevious;

    /**
     * REMOVE: whether the sink must first ask the service that the blob is really gone (nothing on
     * record orders this deletion against the file's import).
     */
    public boolean confirmGone;

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
        a.metadata = metadata == null ? null : new HashMap<>(metadata);
        a.lastModifiedMillis = lastModifiedMillis;
        a.size = size;
        a.importNewerVersion = importNewerVersion;
        a.recordedEtag = recordedEtag;
        a.recorded = recorded == null ? null : recorded.copy();
        a.recordedPrevious = recordedPrevious == null ? null : recordedPrevious.copy();
        a.confirmGone = confirmGone;
        return a;
    }

    /** Whether the path is exactly as the import on record (or the one before) left it. */
    boolean matchesRecord(PosixAttributes observed) {
        return observed != null
                && (observed.sameAs(recorded)
                        || (recordedPrevious != null && observed.sameAs(recordedPrevious)));
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
