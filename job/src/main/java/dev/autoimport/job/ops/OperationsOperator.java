package dev.autoimport.job.ops;

import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.job.SyncMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place (parallelism 1) that gathers every action's outcome from all writer subtasks:
 * counts them into the metrics of SPEC section 5 (so the web UI shows the job's totals), logs each
 * failed blob to the task manager's log and, through {@link SubtaskOperations}, to the error log in
 * the logging container, keeps {@code import.max-errors} as checkpointed state, writes the walk's
 * report, logs progress and holds the Lustre root's lease.
 *
 * <p>Outcomes arrive before the checkpoint barrier that covers their actions (the writer finishes
 * and reports everything before the barrier passes), so the counts in this operator's state are
 * exact across failovers: a failure replayed after a restore was not in the restored count.
 * Watermarks arrive once every writer has carried out every action before them: the time up to
 * which the tree is fully synchronized.
 */
public final class OperationsOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<LustreAction, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(OperationsOperator.class);

    /** State names are part of savepoints: never change them. */
    static final String FAILED_BLOBS_STATE = "failed-blobs";

    private final OperationsSettings settings;

    private transient SyncMetrics fullSync;
    private transient SyncMetrics blobSync;

    /** Written on the task thread only; read by the report thread. */
    private transient volatile long fullSyncOutcomes;

    private transient SubtaskOperations ops;
    private transient ErrorBudget budget;
    private transient long restoredFailedBlobs;
    private transient ListState<Long> failedBlobsState;

    /**
     * @param settings the error log, report and lease settings; null for an operator that only
     *     counts (tests)
     */
    public OperationsOperator(OperationsSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        failedBlobsState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(FAILED_BLOBS_STATE, Types.LONG));
        restoredFailedBlobs = 0;
        for (Long n : failedBlobsState.get()) {
            restoredFailedBlobs += n;
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        fullSync = new SyncMetrics(getMetricGroup(), SyncMetrics.FULL_SYNC);
        blobSync = new SyncMetrics(getMetricGroup(), SyncMetrics.BLOB_SYNC);
        if (settings == null) {
            return;
        }
        String jobId = getRuntimeContext().getJobInfo().getJobId().toString();
        ops =
                SubtaskOperations.start(
                        settings, jobId, 0, 1, this::fullSyncCounts, blobSync::snapshot);
        if (settings.countsErrors()) {
            budget =
                    new ErrorBudget(
                            settings.maxErrors, restoredFailedBlobs, ops.errorLogLocation());
        }
    }

    @Override
    public void processElement(StreamRecord<LustreAction> element) {
        LustreAction outcome = element.getValue();
        SyncMetrics metrics = SyncMetrics.BLOB_SYNC.equals(outcome.phase) ? blobSync : fullSync;
        if (!SyncMetrics.BLOB_SYNC.equals(outcome.phase)) {
            fullSyncOutcomes++;
        }
        metrics.countSuccess(outcome);
        if (ops != null && settings.dryRun) {
            plan(outcome);
        }
        if (outcome.report == LustreAction.Report.ERROR) {
            blobFailed(outcome);
        } else if (ops != null) {
            ops.checkHealthy();
        }
    }

    /** A dry run: what the outcome would have changed, as one line of the plan. */
    private void plan(LustreAction outcome) {
        String change;
        switch (outcome.report) {
            case APPLY:
                change = outcome.operation == LustreAction.Operation.DELETE ? "delete" : "import";
                break;
            case APPLY_CONFLICT:
                change = outcome.operation == LustreAction.Operation.DELETE ? "delete" : "replace";
                break;
            case CONFLICT_KEPT:
                change = "keep-conflict";
                break;
            default:
                return;
        }
        ops.planned(
                new ErrorLogEntry(
                        Instant.now(),
                        change,
                        outcome.phase,
                        outcome.blobName,
                        outcome.path,
                        outcome.operation.name().toLowerCase(Locale.ROOT),
                        null,
                        0,
                        0));
    }

    private void blobFailed(LustreAction outcome) {
        boolean decided = outcome.operation == LustreAction.Operation.NONE;
        if (decided) {
            LOG.warn(
                    "{}: blob '{}' not imported: {}",
                    outcome.phase,
                    outcome.blobName,
                    outcome.error);
        } else {
            LOG.warn(
                    "{}: {} of blob '{}' to '{}' failed after {} attempt(s): {}",
                    outcome.phase,
                    outcome.operation,
                    outcome.blobName,
                    outcome.path,
                    outcome.attempts,
                    outcome.error);
        }
        if (ops == null) {
            return;
        }
        ops.blobFailed(
                new ErrorLogEntry(
                        Instant.now(),
                        "error",
                        outcome.phase,
                        outcome.blobName,
                        outcome.path,
                        decided ? "decide" : outcome.operation.name().toLowerCase(Locale.ROOT),
                        outcome.error,
                        decided ? 0 : outcome.attempts,
                        0));
        if (budget != null && SyncMetrics.FULL_SYNC.equals(outcome.phase)) {
            try {
                budget.count();
            } catch (TooManyErrorsException e) {
                ops.stopForTooManyErrors(e);
            }
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() != Long.MAX_VALUE) {
            blobSync.fullySynchronizedUpTo(mark.getTimestamp());
        }
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (ops != null) {
            ops.onFlush(false);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        failedBlobsState.update(List.of(budget != null ? budget.failed() : restoredFailedBlobs));
    }

    @Override
    public void endInput() {
        if (ops != null) {
            ops.onFlush(true);
        }
    }

    @Override
    public void close() throws Exception {
        if (ops != null) {
            ops.close();
        }
        super.close();
    }

    /** The walk's counts, with the blobs of the walk heard about. */
    private Map<String, Long> fullSyncCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(SyncMetrics.BLOBS_WALKED, fullSyncOutcomes);
        m.putAll(fullSync.snapshot());
        return m;
    }
}
