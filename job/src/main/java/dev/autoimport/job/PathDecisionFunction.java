package dev.autoimport.job;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.lustre.BlobPathException;
import dev.autoimport.connector.lustre.FileKind;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import dev.autoimport.connector.lustre.LustrePaths;
import dev.autoimport.connector.lustre.LustreRoot;
import dev.autoimport.connector.lustre.NamespaceInspector;
import dev.autoimport.connector.lustre.PosixAttributes;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each change to one path into one {@link LustreAction}, from the blob's current state, the
 * path as it is, and the import recorded for it in keyed state. Keyed by path: one path's changes
 * arrive here in order, paths are independent.
 *
 * <p>Change events are hints: an event is brought in line with the blob's <em>current</em> state,
 * so a replayed or stale event never rolls a file back. What is already known decides first; the
 * service is asked only when it must be (an upsert event for a version not imported yet, or a
 * deletion whose order against the walk cannot be told from times).
 */
public class PathDecisionFunction extends KeyedProcessFunction<String, BlobChange, LustreAction> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(PathDecisionFunction.class);

    /** The state name is part of savepoints: never change it. */
    static final String STATE_NAME = "import-record";

    private final ConflictMode conflictMode;
    private final boolean enableDeletions;
    private final boolean allowSetuid;
    private final String lustreRoot;
    private final BlobStorageConfig storage;

    private transient ValueState<ImportRecord> records;
    private transient NamespaceInspector inspector;
    private transient EntryDefaults defaults;
    private transient PosixAttributes implicitDirectory;
    private transient BlobContainerClient container;

    public PathDecisionFunction(JobSettings settings) {
        this.conflictMode = settings.conflictMode;
        this.enableDeletions = settings.enableDeletions;
        this.allowSetuid = settings.allowSetuid;
        this.lustreRoot = settings.lustreRoot;
        this.storage = settings.storage;
    }

    @Override
    public void open(OpenContext openContext) throws IOException {
        records =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        STATE_NAME, TypeInformation.of(ImportRecord.class)));
        inspector = new NamespaceInspector(new LustreRoot(Paths.get(lustreRoot)));
        defaults = EntryDefaults.ofCurrentUser(allowSetuid);
        if (!defaults.canChown) {
            LOG.warn(
                    "Running as uid {} (not root): owner and group metadata cannot be applied; files get uid {} gid {}",
                    defaults.uid,
                    defaults.uid,
                    defaults.gid);
        }
        implicitDirectory = BlobEntry.implicitDirectory(defaults);
    }

    @Override
    public void processElement(BlobChange change, Context ctx, Collector<LustreAction> out)
            throws Exception {
        String phase =
                change.origin == BlobChange.Origin.CHANGE_FEED
                        ? SyncMetrics.BLOB_SYNC
                        : SyncMetrics.FULL_SYNC;
        String path;
        try {
            path = LustrePaths.toRelativePath(change.blobName);
        } catch (BlobPathException e) {
            out.collect(error(change.blobName, null, phase, e.getMessage()));
            return;
        }
        if (change.isDelete()) {
            decideDelete(change, path, phase, out);
        } else {
            decideUpsert(change, path, phase, out);
        }
    }

    private void decideUpsert(
            BlobChange change, String path, String phase, Collector<LustreAction> out)
            throws IOException {
        ImportRecord record = records.value();
        BlobChange current = change;
        if (change.metadata == null) {
            // A feed event: it carries no metadata. Known versions and stale events cost nothing.
            if (record != null && Objects.equals(record.etag, change.etag)) {
                out.collect(none(change, path, phase, Report.UP_TO_DATE, record.imported));
                return;
            }
            if (record != null && olderSequencer(change.sequencer, record.sequencer)) {
                out.collect(none(change, path, phase, Report.IGNORED, null));
                return;
            }
            Optional<BlobChange> fetched = fetchCurrent(change);
            if (fetched.isEmpty()) {
                // Deleted since the event: its deletion event follows and decides.
                out.collect(none(change, path, phase, Report.IGNORED, null));
                return;
            }
            current = fetched.get();
            if (record != null && Objects.equals(record.etag, current.etag)) {
                out.collect(none(current, path, phase, Report.UP_TO_DATE, record.imported));
                return;
            }
        }

        // The event's sequencer describes the version imported only if that is the event's version:
        // a newer one fetched instead would look older than events between the two (a deletion,
        // say) and be undone by them.
        String sequencer = Objects.equals(current.etag, change.etag) ? change.sequencer : null;

        BlobEntry entry;
        try {
            entry =
                    BlobEntry.of(
                            current.blobName,
                            current.contentLength,
                            current.lastModifiedMillis,
                            current.metadata,
                            defaults);
        } catch (IllegalArgumentException e) {
            out.collect(error(current.blobName, path, phase, e.getMessage()));
            return;
        }
        for (String warning : entry.warnings) {
            LOG.warn("Blob '{}': {}", current.blobName, warning);
        }
        PosixAttributes desired = entry.attributes;

        PosixAttributes observed;
        try {
            observed = inspector.inspect(path).orElse(null);
        } catch (BlobPathException e) {
            out.collect(error(current.blobName, path, phase, e.getMessage()));
            return;
        }
        if (observed != null
                && observed.kind == FileKind.DIRECTORY
                && desired.kind != FileKind.DIRECTORY
                && !inspector.isEmptyDirectory(path)) {
            out.collect(
                    error(
                            current.blobName,
                            path,
                            phase,
                            "a non-empty directory is in the way of this "
                                    + desired.kind.name().toLowerCase()
                                    + "; a directory is never removed to make room"));
            return;
        }

        boolean clean =
                isClean(path, record, observed)
                        || record == null
                                && desired.kind == FileKind.DIRECTORY
                                && implicitDirectory.sameAs(observed);
        ConflictRules.ImportedVersion imported =
                record == null
                        ? ConflictRules.ImportedVersion.UNKNOWN
                        : Objects.equals(record.etag, current.etag)
                                ? ConflictRules.ImportedVersion.SAME
                                : ConflictRules.ImportedVersion.OTHER;

        switch (ConflictRules.forUpsert(conflictMode, desired, observed, clean, imported)) {
            case IMPORT:
                out.collect(write(current, path, phase, desired, observed != null, Report.APPLY));
                records.update(importRecord(current, sequencer, desired, observed));
                break;
            case REPLACE_CONFLICT:
                out.collect(write(current, path, phase, desired, true, Report.APPLY_CONFLICT));
                records.update(importRecord(current, sequencer, desired, observed));
                break;
            case PREEXISTING:
                out.collect(none(current, path, phase, Report.PREEXISTING, desired));
                records.update(importRecord(current, sequencer, observed, null));
                break;
            case UP_TO_DATE:
                out.collect(none(current, path, phase, Report.UP_TO_DATE, desired));
                break;
            case KEEP_CONFLICT:
                out.collect(none(current, path, phase, Report.CONFLICT_KEPT, desired));
                break;
            case FAIL:
                throw new SuppressRestartsException(
                        new ImportConflictException(
                                "conflict at '"
                                        + path
                                        + "' (blob '"
                                        + current.blobName
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

    private void decideDelete(
            BlobChange change, String path, String phase, Collector<LustreAction> out)
            throws IOException {
        if (!enableDeletions) {
            return;
        }
        ImportRecord record = records.value();
        if (record != null && deletionPrecedesImport(change, record)) {
            out.collect(none(change, path, phase, Report.IGNORED, null));
            return;
        }
        PosixAttributes observed;
        try {
            observed = inspector.inspect(path).orElse(null);
        } catch (BlobPathException e) {
            out.collect(error(change.blobName, path, phase, e.getMessage()));
            return;
        }
        if (record != null && observed == null) {
            // The import on record may still be on its way: decisions run ahead of the sink, and
            // its write is queued before this deletion, which then removes it (or finds nothing).
            out.collect(delete(change, path, phase, record.imported, Report.APPLY));
            records.clear();
            return;
        }
        if (record == null && observed != null && fetchCurrent(change).isPresent()) {
            // Nothing on record tells this deletion from one replayed after the blob came back:
            // the blob exists, so the file stays.
            out.collect(none(change, path, phase, Report.IGNORED, null));
            return;
        }
        boolean clean = isClean(path, record, observed);
        switch (ConflictRules.forDelete(conflictMode, observed, clean)) {
            case DELETE:
                out.collect(delete(change, path, phase, observed, Report.APPLY));
                break;
            case DELETE_CONFLICT:
                out.collect(delete(change, path, phase, observed, Report.APPLY_CONFLICT));
                break;
            case KEEP_CONFLICT:
                out.collect(none(change, path, phase, Report.CONFLICT_KEPT, observed));
                break;
            case NOTHING:
                break;
            default:
                throw new IllegalStateException("unhandled verdict");
        }
        records.clear();
    }

    /**
     * Whether the path is exactly as an import of this job left it: as recorded in state, or, when
     * the state lags behind the tree (after a restore, the sink has written past the checkpoint),
     * as the entry's import marker says (for a link, its record in the sink's reserved directory).
     */
    private boolean isClean(String path, ImportRecord record, PosixAttributes observed)
            throws IOException {
        if (observed == null) {
            return false;
        }
        if (record != null && record.isClean(observed)) {
            return true;
        }
        return inspector.importedAttributes(path).map(observed::sameAs).orElse(false);
    }

    /**
     * Whether a deletion event is older than the import on record, i.e. the blob was deleted and
     * then written again. Sequencers order events of one blob exactly; against an import from the
     * walk only times are known, and Last-Modified has one-second precision, so a deletion in the
     * same second is settled by asking the service.
     */
    private boolean deletionPrecedesImport(BlobChange deletion, ImportRecord record) {
        if (record.sequencer != null && deletion.sequencer != null) {
            return olderSequencer(deletion.sequencer, record.sequencer);
        }
        if (deletion.eventTimeMillis >= record.lastModifiedMillis + 1000) {
            return false;
        }
        if (deletion.eventTimeMillis < record.lastModifiedMillis) {
            return true;
        }
        return fetchCurrent(deletion).isPresent();
    }

    private static boolean olderSequencer(String event, String recorded) {
        if (event == null || recorded == null) {
            return false;
        }
        if (event.length() != recorded.length()) {
            return event.length() < recorded.length();
        }
        return event.compareTo(recorded) < 0;
    }

    /** The blob's current state, or empty when it no longer exists. */
    private Optional<BlobChange> fetchCurrent(BlobChange event) {
        if (container == null) {
            container = storage.containerClient();
        }
        BlobProperties p;
        try {
            p = container.getBlobClient(event.blobName).getProperties();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        BlobChange c = new BlobChange();
        c.blobName = event.blobName;
        c.type = BlobChange.Type.UPSERT;
        c.origin = event.origin;
        c.etag = unquoted(p.getETag());
        c.lastModifiedMillis = p.getLastModified().toInstant().toEpochMilli();
        c.contentLength = p.getBlobSize();
        c.metadata = p.getMetadata();
        c.sequencer = event.sequencer;
        c.eventTimeMillis = event.eventTimeMillis;
        return Optional.of(c);
    }

    /** Listings and the change feed give etags bare; blob properties give them quoted. */
    static String unquoted(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }

    private static ImportRecord importRecord(
            BlobChange blob, String sequencer, PosixAttributes imported, PosixAttributes previous) {
        return new ImportRecord(blob.etag, blob.lastModifiedMillis, sequencer, imported, previous);
    }

    private static LustreAction write(
            BlobChange blob,
            String path,
            String phase,
            PosixAttributes desired,
            boolean replace,
            Report report) {
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
        LustreAction a =
                LustreAction.of(op, path, blob.blobName, blob.etag, desired, phase, report);
        a.replace = replace;
        return a;
    }

    private static LustreAction delete(
            BlobChange change, String path, String phase, PosixAttributes observed, Report report) {
        return LustreAction.of(
                Operation.DELETE, path, change.blobName, null, observed, phase, report);
    }

    private static LustreAction none(
            BlobChange change,
            String path,
            String phase,
            Report report,
            PosixAttributes attributes) {
        return LustreAction.of(
                Operation.NONE, path, change.blobName, change.etag, attributes, phase, report);
    }

    private static LustreAction error(String blobName, String path, String phase, String why) {
        LustreAction a =
                LustreAction.of(Operation.NONE, path, blobName, null, null, phase, Report.ERROR);
        a.error = why;
        return a;
    }

    /** A conflict in {@code fail} mode. */
    public static class ImportConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ImportConflictException(String message) {
            super(message);
        }
    }
}
