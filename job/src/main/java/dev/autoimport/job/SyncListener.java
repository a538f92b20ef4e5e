package dev.autoimport.job;

import dev.autoimport.connector.lustre.ActionListener;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.job.ops.ErrorLogEntry;
import dev.autoimport.job.ops.OperationsSettings;
import dev.autoimport.job.ops.SubtaskOperations;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every action's outcome into the phase's metrics and logs each per-blob failure with the
 * blob, the path and why: in this task manager's log and, through {@link SubtaskOperations}, as one
 * JSON line in the error log of the logging container (which also counts it against {@code
 * import.max-errors}). One per sink subtask.
 */
public final class SyncListener implements ActionListener {

    private static final Logger LOG = LoggerFactory.getLogger(SyncListener.class);

    private final SyncMetrics fullSync;
    private final SyncMetrics blobSync;
    private final LongAdder fullSyncActions = new LongAdder();
    private final int subtask;
    private final SubtaskOperations ops;

    SyncListener(
            MetricGroup group,
            int subtask,
            int parallelism,
            String jobId,
            OperationsSettings operations) {
        this.fullSync = new SyncMetrics(group, SyncMetrics.FULL_SYNC);
        this.blobSync = new SyncMetrics(group, SyncMetrics.BLOB_SYNC);
        this.subtask = subtask;
        this.ops =
                operations == null
                        ? null
                        : SubtaskOperations.start(
                                operations,
                                jobId,
                                subtask,
                                parallelism,
                                this::fullSyncCounts,
                                blobSync::snapshot);
    }

    @Override
    public void onSuccess(LustreAction action) {
        countWalked(action);
        metricsOf(action).countSuccess(action);
        if (action.report == LustreAction.Report.ERROR) {
            LOG.warn("{}: blob '{}' not imported: {}", action.phase, action.blobName, action.error);
            logFailure(action, action.error, 0);
        } else if (ops != null) {
            ops.checkHealthy();
        }
    }

    @Override
    public void onFailure(LustreAction action, Throwable error, int attempts) {
        countWalked(action);
        metricsOf(action).countFailure();
        LOG.warn(
                "{}: {} of blob '{}' to '{}' failed after {} attempt(s): {}",
                action.phase,
                action.operation,
                action.blobName,
                action.path,
                attempts,
                error.getMessage());
        logFailure(action, describe(error), attempts);
    }

    @Override
    public void onFlush(boolean endOfInput) {
        if (ops != null) {
            ops.onFlush(endOfInput);
        }
    }

    @Override
    public void close() {
        if (ops != null) {
            ops.close();
        }
    }

    @Override
    public void onAppliedUpTo(long watermarkMillis) {
        blobSync.fullySynchronizedUpTo(watermarkMillis);
    }

    SyncMetrics metricsOf(LustreAction action) {
        return SyncMetrics.BLOB_SYNC.equals(action.phase) ? blobSync : fullSync;
    }

    /** The walk's counts of this subtask, with the blobs of the walk it heard about. */
    Map<String, Long> fullSyncCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(SyncMetrics.BLOBS_WALKED, fullSyncActions.sum());
        m.putAll(fullSync.snapshot());
        return m;
    }

    private void countWalked(LustreAction action) {
        if (!SyncMetrics.BLOB_SYNC.equals(action.phase)) {
            fullSyncActions.increment();
        }
    }

    private void logFailure(LustreAction action, String error, int attempts) {
        if (ops == null) {
            return;
        }
        ops.blobFailed(
                new ErrorLogEntry(
                        Instant.now(),
                        "error",
                        action.phase,
                        action.blobName,
                        action.path,
                        action.operation == LustreAction.Operation.NONE
                                ? "decide"
                                : action.operation.name().toLowerCase(Locale.ROOT),
                        error,
                        attempts,
                        subtask));
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }

    /** Creates one listener per sink subtask. */
    public static final class Factory implements ActionListener.Factory {
        private static final long serialVersionUID = 1L;

        /** Metric variable with the job id, as Flink's scope formats name it. */
        private static final String JOB_ID_VARIABLE = "<job_id>";

        private final OperationsSettings operations;

        /**
         * @param operations the error log, report and lease settings; null for a listener that only
         *     counts
         */
        public Factory(OperationsSettings operations) {
            this.operations = operations;
        }

        @Override
        public ActionListener create(MetricGroup metricGroup, int subtaskIndex) {
            return create(metricGroup, subtaskIndex, 1);
        }

        @Override
        public ActionListener create(MetricGroup metricGroup, int subtaskIndex, int parallelism) {
            String jobId =
                    metricGroup.getAllVariables().getOrDefault(JOB_ID_VARIABLE, "unknown-job");
            return new SyncListener(metricGroup, subtaskIndex, parallelism, jobId, operations);
        }
    }
}
