package dev.autoimport.job.decision;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.lustre.BlobPathException;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import dev.autoimport.connector.lustre.LustrePaths;
import dev.autoimport.connector.lustre.PosixAttributes;
import dev.autoimport.job.BlobEntry;
import dev.autoimport.job.EntryDefaults;
import dev.autoimport.job.ImportRecord;
import dev.autoimport.job.SyncMetrics;
import java.util.List;
import java.util.Objects;

/**
 * The per-path decision from what is already known, with no I/O: the change, and the import this
 * job recorded for the path. It settles what needs no look at the tree or the service (a known
 * etag, a stale or replayed event, a deletion older than the import on record, deletions turned
 * off) and hands everything else to the sink as a {@link Operation#SYNC} or {@link
 * Operation#REMOVE} action, which the sink settles against the path as it is, with {@link
 * ImportPolicy}.
 *
 * <p>The record is updated here, ahead of the sink: it names the version sent to be imported, and
 * keeps the attributes of the import before, so that a path whose import did not land still counts
 * as the job's own.
 */
public final class PathDecisions {

    private final boolean enableDeletions;
    private final EntryDefaults defaults;

    public PathDecisions(boolean enableDeletions, EntryDefaults defaults) {
        this.enableDeletions = enableDeletions;
        this.defaults = defaults;
    }

    /** What becomes of the path's record. */
    public enum RecordChange {
        KEEP,
        UPDATE,
        CLEAR
    }

    /**
     * One decision.
     *
     * @param action for the sink; null when there is nothing to carry out or count
     * @param record the new record when {@code change} is UPDATE
     * @param warnings what was wrong with the blob's metadata (never fatal)
     */
    public record Decision(
            LustreAction action, RecordChange change, ImportRecord record, List<String> warnings) {

        static Decision of(LustreAction action) {
            return new Decision(action, RecordChange.KEEP, null, List.of());
        }
    }

    public Decision decide(BlobChange change, ImportRecord record) {
        String phase =
                change.origin == BlobChange.Origin.CHANGE_FEED
                        ? SyncMetrics.BLOB_SYNC
                        : SyncMetrics.FULL_SYNC;
        String path;
        try {
            path = LustrePaths.toRelativePath(change.blobName);
        } catch (BlobPathException e) {
            return Decision.of(error(change, null, phase, e.getMessage()));
        }
        return change.isDelete()
                ? decideDelete(change, record, path, phase)
                : decideUpsert(change, record, path, phase);
    }

    private Decision decideUpsert(
            BlobChange change, ImportRecord record, String path, String phase) {
        if (change.metadata == null) {
            // A feed event: it carries no metadata. Known versions and stale events cost nothing.
            if (record != null && Objects.equals(record.etag, change.etag)) {
                return Decision.of(report(change, path, phase, Report.UP_TO_DATE, record.imported));
            }
            Order order = record == null ? Order.AFTER_IMPORT : againstImport(change, record);
            if (order == Order.BEFORE_IMPORT) {
                return Decision.of(report(change, path, phase, Report.IGNORED, null));
            }
            // The sink downloads the event's version, learning its metadata from the answer.
            LustreAction sync = plan(Operation.SYNC, change, path, phase, record);
            if (order == Order.UNKNOWN) {
                // Perhaps older than the import on record (the sink's conditional download then
                // finds the blob moved on and does nothing): the record must not go back to it.
                return Decision.of(sync);
            }
            return new Decision(
                    sync,
                    RecordChange.UPDATE,
                    new ImportRecord(
                            change.etag,
                            // The feed tells no Last-Modified; the event's time is the write's.
                            change.lastModifiedMillis > 0
                                    ? change.lastModifiedMillis
                                    : change.eventTimeMillis,
                            change.sequencer,
                            null,
                            lastKnown(record)),
                    List.of());
        }
        BlobEntry entry;
        try {
            entry =
                    BlobEntry.of(
                            change.blobName,
                            change.contentLength,
                            change.lastModifiedMillis,
                            change.metadata,
                            defaults);
        } catch (IllegalArgumentException e) {
            return Decision.of(error(change, path, phase, e.getMessage()));
        }
        LustreAction sync = plan(Operation.SYNC, change, path, phase, record);
        sync.metadata = change.metadata;
        sync.lastModifiedMillis = change.lastModifiedMillis;
        sync.size = change.contentLength;
        sync.attributes = entry.attributes;
        // A listed blob that changed before its download is imported as it is then: the walk
        // must not leave an older state behind (the import job has no feed to catch up from).
        sync.importNewerVersion = true;
        return new Decision(
                sync,
                RecordChange.UPDATE,
                new ImportRecord(
                        change.etag,
                        change.lastModifiedMillis,
                        change.sequencer,
                        entry.attributes,
                        lastKnown(record)),
                entry.warnings);
    }

    private Decision decideDelete(
            BlobChange change, ImportRecord record, String path, String phase) {
        if (!enableDeletions) {
            return Decision.of(null);
        }
        Order order = record == null ? Order.UNKNOWN : againstImport(change, record);
        if (order == Order.BEFORE_IMPORT) {
            return Decision.of(report(change, path, phase, Report.IGNORED, null));
        }
        LustreAction remove = plan(Operation.REMOVE, change, path, phase, record);
        // Only the service can tell a deletion that nothing on record orders from one replayed
        // after the blob came back; the sink asks it if there is a path to delete.
        remove.confirmGone = order == Order.UNKNOWN;
        if (remove.confirmGone) {
            // The file may stay (the blob is back): the record must still tell a rewrite in the
            // same second and of the same size from the file this job imported.
            return Decision.of(remove);
        }
        return new Decision(remove, RecordChange.CLEAR, null, List.of());
    }

    /** How an event stands against the import on record. */
    private enum Order {
        BEFORE_IMPORT,
        AFTER_IMPORT,
        UNKNOWN
    }

    /**
     * Sequencers order events of one blob exactly; against an import from the walk only times are
     * known, and Last-Modified has one-second precision, so an event in the same second is left to
     * the service.
     */
    private static Order againstImport(BlobChange event, ImportRecord record) {
        if (record.sequencer != null && event.sequencer != null) {
            return olderSequencer(event.sequencer, record.sequencer)
                    ? Order.BEFORE_IMPORT
                    : Order.AFTER_IMPORT;
        }
        if (event.eventTimeMillis >= record.lastModifiedMillis + 1000) {
            return Order.AFTER_IMPORT;
        }
        if (event.eventTimeMillis < record.lastModifiedMillis) {
            return Order.BEFORE_IMPORT;
        }
        return Order.UNKNOWN;
    }

    static boolean olderSequencer(String event, String recorded) {
        if (event == null || recorded == null) {
            return false;
        }
        if (event.length() != recorded.length()) {
            return event.length() < recorded.length();
        }
        return event.compareTo(recorded) < 0;
    }

    /** The attributes the last import that is known to upstream set. */
    private static PosixAttributes lastKnown(ImportRecord record) {
        if (record == null) {
            return null;
        }
        return record.imported != null ? record.imported : record.previous;
    }

    private static LustreAction plan(
            Operation op, BlobChange change, String path, String phase, ImportRecord record) {
        LustreAction a =
                LustreAction.of(op, path, change.blobName, change.etag, null, phase, Report.APPLY);
        if (record != null) {
            a.recordedEtag = record.etag;
            a.recorded = record.imported;
            a.recordedPrevious = record.previous;
        }
        return a;
    }

    private static LustreAction report(
            BlobChange change,
            String path,
            String phase,
            Report report,
            PosixAttributes attributes) {
        return LustreAction.of(
                Operation.NONE, path, change.blobName, change.etag, attributes, phase, report);
    }

    private static LustreAction error(BlobChange change, String path, String phase, String why) {
        LustreAction a =
                LustreAction.of(
                        Operation.NONE, path, change.blobName, null, null, phase, Report.ERROR);
        a.error = why;
        return a;
    }
}
