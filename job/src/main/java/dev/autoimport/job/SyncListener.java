package dev.autoimport.job;

import dev.autoimport.connector.lustre.ActionListener;
import dev.autoimport.connector.lustre.LustreAction;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every action's outcome into the phase's metrics and logs each per-blob failure with the
 * blob, the path and why. One per sink subtask.
 */
public final class SyncListener implements ActionListener {

    private static final Logger LOG = LoggerFactory.getLogger(SyncListener.class);

    private final SyncMetrics fullSync;
    private final SyncMetrics blobSync;

    SyncListener(MetricGroup group) {
        this.fullSync = new SyncMetrics(group, SyncMetrics.FULL_SYNC);
        this.blobSync = new SyncMetrics(group, SyncMetrics.BLOB_SYNC);
    }

    @Override
    public void onSuccess(LustreAction action) {
        if (action.report == LustreAction.Report.ERROR) {
            LOG.warn("{}: blob '{}' not imported: {}", action.phase, action.blobName, action.error);
        }
        metricsOf(action).countSuccess(action);
    }

    @Override
    public void onFailure(LustreAction action, Throwable error, int attempts) {
        LOG.warn(
                "{}: {} of blob '{}' to '{}' failed after {} attempt(s): {}",
                action.phase,
                action.operation,
                action.blobName,
                action.path,
                attempts,
                error.getMessage());
        metricsOf(action).countFailure();
    }

    @Override
    public void onAppliedUpTo(long watermarkMillis) {
        blobSync.fullySynchronizedUpTo(watermarkMillis);
    }

    SyncMetrics metricsOf(LustreAction action) {
        return SyncMetrics.BLOB_SYNC.equals(action.phase) ? blobSync : fullSync;
    }

    /** Creates one listener per sink subtask. */
    public static final class Factory implements ActionListener.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public ActionListener create(MetricGroup metricGroup, int subtaskIndex) {
            return new SyncListener(metricGroup);
        }
    }
}
