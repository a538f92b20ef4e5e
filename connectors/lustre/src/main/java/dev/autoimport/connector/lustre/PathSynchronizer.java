package dev.autoimport.connector.lustre;

import dev.autoimport.connector.lustre.ContentSource.BlobChangedException;
import dev.autoimport.connector.lustre.ContentSource.BlobGoneException;
import dev.autoimport.connector.lustre.ContentSource.Download;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import dev.autoimport.connector.lustre.SyncPolicy.InvalidBlobException;
import dev.autoimport.connector.lustre.SyncPolicy.PlannedEntry;
import dev.autoimport.connector.lustre.SyncPolicy.RecordedVersion;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link Operation#SYNC} and {@link Operation#REMOVE}: inspects the path once, where
 * the action is carried out, learns what it must of the blob, asks the {@link SyncPolicy}, and
 * applies the verdict through the {@link ActionApplier}.
 *
 * <p>A change-feed event knows the blob's etag but not its metadata: its SYNC downloads the blob
 * conditionally on that etag, and the answer's headers give the metadata before any content is
 * read, so a changed blob costs one request. A listed blob's SYNC knows everything and downloads
 * only if the verdict needs the content.
 */
final class PathSynchronizer {

    private static final Logger LOG = LoggerFactory.getLogger(PathSynchronizer.class);

    private final NamespaceInspector inspector;
    private final SyncPolicy policy;
    private final ContentSource.Reader content;
    private final EntryApplier applier;

    PathSynchronizer(
            NamespaceInspector inspector,
            SyncPolicy policy,
            ContentSource.Reader content,
            EntryApplier applier) {
        this.inspector = inspector;
        this.policy = policy;
        this.content = content;
        this.applier = applier;
    }

    /**
     * @return the action as carried out: one of the concrete operations, with its report, for the
     *     listener
     */
    LustreAction carryOut(LustreAction plan) throws IOException {
        return plan.operation == Operation.REMOVE ? remove(plan) : sync(plan);
    }

    private LustreAction sync(LustreAction plan) throws IOException {
        if (plan.metadata != null) {
            BlobVersion listed =
                    new BlobVersion(
                            plan.blobName,
                            plan.etag,
                            plan.lastModifiedMillis,
                            plan.size,
                            plan.metadata);
            try {
                return decideAndApply(plan, listed, plan.attributes, null);
            } catch (BlobChangedException changedSinceListed) {
                if (!plan.importNewerVersion) {
                    return report(plan, Report.IGNORED, null);
                }
                // Changed between the listing and the download: the walk imports what is there now.
            }
        }
        Download download;
        try {
            download = content.open(plan.blobName, plan.metadata == null ? plan.etag : null);
        } catch (BlobGoneException deletedSince) {
            // Its deletion's own change decides.
            return report(plan, Report.IGNORED, null);
        } catch (BlobChangedException changedSince) {
            if (!plan.importNewerVersion) {
                // The newer version's own change follows and imports it.
                return report(plan, Report.IGNORED, null);
            }
            try {
                download = content.open(plan.blobName, null);
            } catch (BlobGoneException deletedSince) {
                return report(plan, Report.IGNORED, null);
            }
        }
        try (Download open = download) {
            return decideAndApply(plan, open.version(), null, open);
        }
    }

    /**
     * @param decided the entry the decision already computed from the same version, or null
     * @param download the download whose answer gave {@code blob}, or null if none is open yet
     */
    private LustreAction decideAndApply(
            LustreAction plan, BlobVersion blob, PosixAttributes decided, Download download)
            throws IOException {
        PosixAttributes desired = decided;
        if (desired == null) {
            PlannedEntry entry;
            try {
                entry = policy.entryOf(blob);
            } catch (InvalidBlobException e) {
                LustreAction failed = report(plan, Report.ERROR, null);
                failed.error = e.getMessage();
                return failed;
            }
            for (String warning : entry.warnings()) {
                LOG.warn("Blob '{}': {}", blob.blobName(), warning);
            }
            desired = entry.attributes();
        }
        PosixAttributes observed = inspector.inspect(plan.path).orElse(null);
        if (observed != null
                && observed.kind == FileKind.DIRECTORY
                && desired.kind != FileKind.DIRECTORY
                && !inspector.isEmptyDirectory(plan.path)) {
            LustreAction failed = report(plan, Report.ERROR, desired);
            failed.error =
                    "a non-empty directory is in the way of this "
                            + desired.kind.name().toLowerCase(java.util.Locale.ROOT)
                            + "; a directory is never removed to make room";
            return failed;
        }
        boolean clean =
                isClean(plan, observed)
                        || plan.recordedEtag == null
                                && desired.kind == FileKind.DIRECTORY
                                && policy.implicitDirectory().sameAs(observed);
        RecordedVersion onRecord =
                plan.recordedEtag == null
                        ? RecordedVersion.UNKNOWN
                        : Objects.equals(plan.recordedEtag, blob.etag())
                                ? RecordedVersion.SAME
                                : RecordedVersion.OTHER;
        if (onRecord == RecordedVersion.SAME && !desired.sameAs(observed)) {
            // The record is written ahead of the sink: an import on record that does not show in
            // the tree never landed, so it is as if another version were there.
            onRecord = RecordedVersion.OTHER;
        }
        SyncPolicy.UpsertVerdict verdict;
        try {
            verdict = policy.forUpsert(plan, desired, observed, clean, onRecord);
        } catch (RuntimeException e) {
            throw new PolicyFailure(e);
        }
        switch (verdict) {
            case IMPORT:
                return apply(plan, blob, desired, observed != null, Report.APPLY, download);
            case REPLACE_CONFLICT:
                return apply(plan, blob, desired, true, Report.APPLY_CONFLICT, download);
            case PREEXISTING:
                return report(plan, Report.PREEXISTING, desired);
            case UP_TO_DATE:
                return report(plan, Report.UP_TO_DATE, desired);
            case KEEP_CONFLICT:
                return report(plan, Report.CONFLICT_KEPT, desired);
            default:
                throw new IllegalStateException("unhandled verdict " + verdict);
        }
    }

    private LustreAction remove(LustreAction plan) throws IOException {
        PosixAttributes observed = inspector.inspect(plan.path).orElse(null);
        if (observed == null) {
            return report(plan, Report.IGNORED, null);
        }
        if (plan.confirmGone && content.currentVersion(plan.blobName).isPresent()) {
            // Nothing on record tells this deletion from one replayed after the blob came back:
            // the blob exists, so the file stays.
            return report(plan, Report.IGNORED, null);
        }
        SyncPolicy.DeleteVerdict verdict;
        try {
            verdict = policy.forDelete(plan, observed, isClean(plan, observed));
        } catch (RuntimeException e) {
            throw new PolicyFailure(e);
        }
        switch (verdict) {
            case DELETE:
                return delete(plan, observed, Report.APPLY);
            case DELETE_CONFLICT:
                return delete(plan, observed, Report.APPLY_CONFLICT);
            case KEEP_CONFLICT:
                return report(plan, Report.CONFLICT_KEPT, observed);
            case NOTHING:
                return report(plan, Report.IGNORED, null);
            default:
                throw new IllegalStateException("unhandled verdict " + verdict);
        }
    }

    /**
     * Whether the path is exactly as an import of this job left it: as the record says, or, when
     * the record lags behind the tree (after a restore, or for an import whose attributes only the
     * sink learned), as the entry's import marker says.
     */
    private boolean isClean(LustreAction plan, PosixAttributes observed) throws IOException {
        if (observed == null) {
            return false;
        }
        if (plan.matchesRecord(observed)) {
            return true;
        }
        Optional<PosixAttributes> marker = inspector.importedAttributes(plan.path);
        return marker.map(observed::sameAs).orElse(false);
    }

    private LustreAction apply(
            LustreAction plan,
            BlobVersion blob,
            PosixAttributes desired,
            boolean replace,
            Report report,
            Download download)
            throws IOException {
        Operation op;
        switch (desired.kind) {
            case DIRECTORY:
                op = Operation.MAKE_DIRECTORY;
                break;
            case SYMLINK:
                op = Operation.MAKE_SYMLINK;
                break;
            default:
                op = Operation.WRITE_FILE;
        }
        LustreAction action = concrete(plan, op, desired, report);
        action.etag = blob.etag();
        action.replace = replace;
        applier.apply(action, download);
        return action;
    }

    private LustreAction delete(LustreAction plan, PosixAttributes observed, Report report)
            throws IOException {
        LustreAction action = concrete(plan, Operation.DELETE, observed, report);
        applier.apply(action);
        return action;
    }

    private static LustreAction report(
            LustreAction plan, Report report, PosixAttributes attributes) {
        return concrete(plan, Operation.NONE, attributes, report);
    }

    private static LustreAction concrete(
            LustreAction plan, Operation op, PosixAttributes attributes, Report report) {
        return LustreAction.of(
                op, plan.path, plan.blobName, plan.etag, attributes, plan.phase, report);
    }

    /** The policy itself threw: the job fails with the policy's own exception. */
    static final class PolicyFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PolicyFailure(RuntimeException cause) {
            super(cause);
        }

        RuntimeException policyException() {
            return (RuntimeException) getCause();
        }
    }
}
