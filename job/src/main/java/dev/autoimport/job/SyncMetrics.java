package dev.autoimport.job;

import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * The metric names of SPEC section 5, in one place, and the counters of one phase ({@code fullSync}
 * or {@code blobSync}) on one subtask. Flink sums them over subtasks in the web UI and REST API.
 *
 * <p>Counted by the one operations operator, on its task thread, from the outcomes of all writer
 * subtasks: the metrics are the job's totals, and plain counters suffice.
 */
public final class SyncMetrics {

    public static final String FULL_SYNC = "fullSync";
    public static final String BLOB_SYNC = "blobSync";

    public static final String IMPORTED_FILES = "importedFiles";
    public static final String IMPORTED_DIRECTORIES = "importedDirectories";
    public static final String IMPORTED_SYMLINKS = "importedSymlinks";
    public static final String PREEXISTING_FILES = "preexistingFiles";
    public static final String PREEXISTING_DIRECTORIES = "preexistingDirectories";
    public static final String PREEXISTING_SYMLINKS = "preexistingSymlinks";
    public static final String BLOBS_IMPORTED = "blobsImported";
    public static final String BLOB_IMPORT_RATE = "blobImportRate";
    public static final String CONFLICTS = "conflicts";
    public static final String ERRORS = "errors";
    public static final String DELETIONS = "deletions";

    /** Registered by the listing source (see BlobListingMetrics), named here for the docs. */
    public static final String BLOBS_WALKED = "blobsWalked";

    public static final String BLOB_WALK_RATE = "blobWalkRate";

    /** Registered by the change-feed source. */
    public static final String LAST_CHANGE_FEED_EVENT_CONSUMED_TIME =
            "lastChangeFeedEventConsumedTime";

    public static final String LAST_FULLY_SYNCHRONIZED_TIME = "lastFullySynchronizedTime";

    private final Map<String, Counter> counters = new LinkedHashMap<>();
    private final String phase;

    /** Epoch millis up to which every published change is applied; 0 until blob sync knows. */
    private volatile long lastFullySynchronizedTime;

    /** Registers the counters of one phase under {@code group.addGroup(phase)}. */
    public SyncMetrics(MetricGroup parent, String phase) {
        this.phase = phase;
        MetricGroup group = parent.addGroup(phase);
        for (String name :
                new String[] {
                    IMPORTED_FILES,
                    IMPORTED_DIRECTORIES,
                    IMPORTED_SYMLINKS,
                    PREEXISTING_FILES,
                    PREEXISTING_DIRECTORIES,
                    PREEXISTING_SYMLINKS,
                    BLOBS_IMPORTED,
                    CONFLICTS,
                    ERRORS
                }) {
            counters.put(name, group.counter(name));
        }
        if (BLOB_SYNC.equals(phase)) {
            counters.put(DELETIONS, group.counter(DELETIONS));
            group.gauge(
                    LAST_FULLY_SYNCHRONIZED_TIME, (Gauge<Long>) () -> lastFullySynchronizedTime);
        }
        group.meter(BLOB_IMPORT_RATE, new MeterView(counters.get(BLOBS_IMPORTED)));
    }

    /** Counts an action that reached Lustre (or, for NONE, was decided). */
    public void countSuccess(LustreAction action) {
        switch (action.report) {
            case APPLY:
                countApplied(action);
                break;
            case APPLY_CONFLICT:
                countApplied(action);
                inc(CONFLICTS);
                break;
            case PREEXISTING:
                inc(
                        byKind(
                                action,
                                PREEXISTING_FILES,
                                PREEXISTING_DIRECTORIES,
                                PREEXISTING_SYMLINKS));
                break;
            case CONFLICT_KEPT:
                inc(CONFLICTS);
                break;
            case ERROR:
                inc(ERRORS);
                break;
            case UP_TO_DATE:
                // A re-walk after a restore meets paths it imported itself: for the walk's table
                // they already match. In blob sync, a replayed event is no news at all.
                if (FULL_SYNC.equals(phase)) {
                    inc(
                            byKind(
                                    action,
                                    PREEXISTING_FILES,
                                    PREEXISTING_DIRECTORIES,
                                    PREEXISTING_SYMLINKS));
                }
                break;
            case IGNORED:
            default:
                break;
        }
    }

    /**
     * Whether an action that touches nothing changes any count: an ignored event, or a blob-sync
     * event for the version already imported, need not travel to the counting operator at all.
     */
    public static boolean countsAnything(LustreAction action) {
        if (action.operation != Operation.NONE) {
            return true;
        }
        switch (action.report) {
            case IGNORED:
                return false;
            case UP_TO_DATE:
                return !BLOB_SYNC.equals(action.phase);
            default:
                return true;
        }
    }

    /** Every change the feed published up to this time has been applied. */
    public void fullySynchronizedUpTo(long epochMillis) {
        if (epochMillis > lastFullySynchronizedTime) {
            lastFullySynchronizedTime = epochMillis;
        }
    }

    public void countFailure() {
        inc(ERRORS);
    }

    /** Current totals of this subtask, for the end-of-run summary. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        counters.forEach((k, v) -> m.put(k, v.getCount()));
        return m;
    }

    private void countApplied(LustreAction action) {
        if (action.operation == Operation.DELETE) {
            inc(DELETIONS);
            return;
        }
        inc(byKind(action, IMPORTED_FILES, IMPORTED_DIRECTORIES, IMPORTED_SYMLINKS));
        inc(BLOBS_IMPORTED);
    }

    private static String byKind(LustreAction action, String file, String dir, String link) {
        if (action.attributes == null) {
            return file;
        }
        switch (action.attributes.kind) {
            case DIRECTORY:
                return dir;
            case SYMLINK:
                return link;
            default:
                return file;
        }
    }

    private void inc(String name) {
        Counter c = counters.get(name);
        if (c != null) {
            c.inc();
        }
    }
}
