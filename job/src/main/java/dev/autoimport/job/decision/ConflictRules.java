package dev.autoimport.job.decision;

import dev.autoimport.connector.lustre.PosixAttributes;
import dev.autoimport.connector.lustre.SyncPolicy.DeleteVerdict;
import dev.autoimport.connector.lustre.SyncPolicy.RecordedVersion;
import dev.autoimport.job.ConflictMode;

/**
 * The decision tables of SPEC section 4, in one place: what to do with one change given the blob,
 * the path as it is, and whether the path is clean (exactly as this job last left it).
 */
public final class ConflictRules {

    /** The outcome for a created or updated blob. */
    public enum UpsertVerdict {
        /** Write the blob's entry; the path is missing or clean. */
        IMPORT,
        /** The path already matches the blob: count it, touch nothing. */
        PREEXISTING,
        /** The path is what this job imported for this very blob version. */
        UP_TO_DATE,
        /** A dirty or foreign path, replaced by the blob's entry. */
        REPLACE_CONFLICT,
        /** A dirty or foreign path, left alone. */
        KEEP_CONFLICT,
        /** A conflict in {@code fail} mode: the import job ends. */
        FAIL
    }

    private ConflictRules() {}

    /**
     * @param desired the entry the blob becomes
     * @param observed the path as it is now; null when missing
     * @param clean whether {@code observed} is exactly as this job last left it
     * @param imported which blob version this job's record says it imported there
     */
    public static UpsertVerdict forUpsert(
            ConflictMode mode,
            PosixAttributes desired,
            PosixAttributes observed,
            boolean clean,
            RecordedVersion imported) {
        if (observed == null) {
            return UpsertVerdict.IMPORT;
        }
        if (clean && imported == RecordedVersion.SAME) {
            return UpsertVerdict.UP_TO_DATE;
        }
        // Before the attribute match: a rewrite in the same second with the same size looks like
        // the old file, but the record knows the content changed.
        if (clean && imported == RecordedVersion.OTHER) {
            return UpsertVerdict.IMPORT;
        }
        if (observed.sameAs(desired)) {
            return mode == ConflictMode.OVERWRITE_ALWAYS
                    ? UpsertVerdict.IMPORT
                    : UpsertVerdict.PREEXISTING;
        }
        if (clean) {
            return UpsertVerdict.IMPORT;
        }
        switch (mode) {
            case SKIP:
                return UpsertVerdict.KEEP_CONFLICT;
            case OVERWRITE_IF_DIRTY:
            case OVERWRITE_ALWAYS:
                return UpsertVerdict.REPLACE_CONFLICT;
            case FAIL:
                return UpsertVerdict.FAIL;
            default:
                throw new IllegalStateException("unknown conflict mode " + mode);
        }
    }

    /**
     * @param observed the path as it is now; null when missing
     * @param clean whether {@code observed} is exactly as this job last left it
     */
    public static DeleteVerdict forDelete(
            ConflictMode mode, PosixAttributes observed, boolean clean) {
        if (observed == null) {
            return DeleteVerdict.NOTHING;
        }
        if (clean) {
            return DeleteVerdict.DELETE;
        }
        return mode == ConflictMode.SKIP
                ? DeleteVerdict.KEEP_CONFLICT
                : DeleteVerdict.DELETE_CONFLICT;
    }
}
