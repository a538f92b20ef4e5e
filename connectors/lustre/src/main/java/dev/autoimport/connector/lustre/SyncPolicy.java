package dev.autoimport.connector.lustre;

import java.io.Serializable;
import java.util.List;

/**
 * The job's rules, asked by the sink where an action is carried out, with the path as it is at that
 * moment: what a blob version becomes, and what to do when something is already there. The sink
 * inspects the tree once per action and carries the verdict out; it decides nothing itself.
 *
 * <p>Called on the sink's I/O threads: implementations must be thread-safe (pure functions are). A
 * runtime exception thrown here fails the job (a conflict in a mode that stops the job, say).
 */
public interface SyncPolicy extends Serializable {

    /**
     * The entry a blob version becomes.
     *
     * @throws InvalidBlobException when this blob cannot be imported (an error for that blob)
     */
    PlannedEntry entryOf(BlobVersion blob) throws InvalidBlobException;

    /**
     * What to do with a created or updated blob.
     *
     * @param desired the entry the blob becomes
     * @param observed the path as it is now; null when missing
     * @param clean whether {@code observed} is exactly as this job last left it
     * @param onRecord which blob version the job's record says it imported there
     */
    UpsertVerdict forUpsert(
            LustreAction action,
            PosixAttributes desired,
            PosixAttributes observed,
            boolean clean,
            RecordedVersion onRecord);

    /**
     * What to do with a deleted blob.
     *
     * @param observed the path as it is now; null when missing
     * @param clean whether {@code observed} is exactly as this job last left it
     */
    DeleteVerdict forDelete(LustreAction action, PosixAttributes observed, boolean clean);

    /** The attributes of a directory the blob service only implies (a parent of some blob). */
    PosixAttributes implicitDirectory();

    /** The entry a blob becomes, and what was wrong with its metadata (never fatal). */
    record PlannedEntry(PosixAttributes attributes, List<String> warnings) {}

    /** The outcome for a created or updated blob. */
    enum UpsertVerdict {
        /** Write the blob's entry; the path is missing or clean. */
        IMPORT,
        /** The path already matches the blob: count it, touch nothing. */
        PREEXISTING,
        /** The path is what this job imported for this very blob version. */
        UP_TO_DATE,
        /** A dirty or foreign path, replaced by the blob's entry. */
        REPLACE_CONFLICT,
        /** A dirty or foreign path, left alone. */
        KEEP_CONFLICT
    }

    /** The outcome for a deleted blob. */
    enum DeleteVerdict {
        DELETE,
        /** A dirty path deleted anyway (overwrite modes). */
        DELETE_CONFLICT,
        /** A dirty path kept (skip mode). */
        KEEP_CONFLICT,
        /** Nothing there to delete. */
        NOTHING
    }

    /** What the job's record says about the blob version at a path. */
    enum RecordedVersion {
        /** No record: never imported, or imported by a run whose state is gone. */
        UNKNOWN,
        /** This very blob version (same etag). */
        SAME,
        /** Another version of the blob. */
        OTHER
    }

    /** A blob that cannot be imported (its metadata makes no valid entry). */
    class InvalidBlobException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidBlobException(String message) {
            super(message);
        }
    }
}
