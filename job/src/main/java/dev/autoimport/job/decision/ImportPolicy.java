package dev.autoimport.job.decision;

import dev.autoimport.connector.lustre.BlobVersion;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.PosixAttributes;
import dev.autoimport.connector.lustre.SyncPolicy;
import dev.autoimport.job.BlobEntry;
import dev.autoimport.job.ConflictMode;
import dev.autoimport.job.EntryDefaults;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * The job's rules as the sink asks them where it carries an action out: a blob becomes the entry
 * {@link BlobEntry} says, and {@link ConflictRules} says what to do with the path as it is. Pure:
 * no I/O, safe on any thread.
 */
public final class ImportPolicy implements SyncPolicy {

    private static final long serialVersionUID = 1L;

    private final ConflictMode mode;
    private final boolean allowSetuid;

    /** The user the task manager runs as, found where the sink runs, not where the job is built. */
    private transient volatile EntryDefaults defaults;

    public ImportPolicy(ConflictMode mode, boolean allowSetuid) {
        this.mode = mode;
        this.allowSetuid = allowSetuid;
    }

    /** For tests: fixed defaults instead of the current user's. */
    ImportPolicy(ConflictMode mode, EntryDefaults defaults) {
        this(mode, defaults.allowSetuid);
        this.defaults = defaults;
    }

    private EntryDefaults defaults() {
        EntryDefaults d = defaults;
        if (d == null) {
            d = EntryDefaults.ofCurrentUser(allowSetuid);
            defaults = d;
        }
        return d;
    }

    @Override
    public PlannedEntry entryOf(BlobVersion blob) throws InvalidBlobException {
        try {
            BlobEntry entry =
                    BlobEntry.of(
                            blob.blobName(),
                            blob.size(),
                            blob.lastModifiedMillis(),
                            blob.metadata(),
                            defaults());
            return new PlannedEntry(entry.attributes, entry.warnings);
        } catch (IllegalArgumentException e) {
            throw new InvalidBlobException(e.getMessage());
        }
    }

    @Override
    public UpsertVerdict forUpsert(
            LustreAction action,
            PosixAttributes desired,
            PosixAttributes observed,
            boolean clean,
            RecordedVersion onRecord) {
        switch (ConflictRules.forUpsert(mode, desired, observed, clean, onRecord)) {
            case IMPORT:
                return UpsertVerdict.IMPORT;
            case PREEXISTING:
                return UpsertVerdict.PREEXISTING;
            case UP_TO_DATE:
                return UpsertVerdict.UP_TO_DATE;
            case REPLACE_CONFLICT:
                return UpsertVerdict.REPLACE_CONFLICT;
            case KEEP_CONFLICT:
                return UpsertVerdict.KEEP_CONFLICT;
            case FAIL:
                throw new SuppressRestartsException(
                        new ImportConflictException(
                                "conflict at '"
                                        + action.path
                                        + "' (blob '"
                                        + action.blobName
                                        + "'): the path is "
                                        + observed
                                        + " but the blob is "
                                        + desired
                                        + "; the import job stops because sync.conflict-mode=fail. "
                                        + "Resolve the path or choose skip / overwrite-if-dirty."));
            default:
                throw new IllegalStateException("unhandled verdict");
        }
    }

    @Override
    public DeleteVerdict forDelete(LustreAction action, PosixAttributes observed, boolean clean) {
        return ConflictRules.forDelete(mode, observed, clean);
    }

    @Override
    public PosixAttributes implicitDirectory() {
        return BlobEntry.implicitDirectory(defaults());
    }
}
