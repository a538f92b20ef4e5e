package dev.autoimport.job.decision;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.job.EntryDefaults;
import dev.autoimport.job.ImportRecord;
import dev.autoimport.job.JobSettings;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed operator around {@link PathDecisions}: reads the path's import record, decides, writes
 * the record back, emits the action. Keyed by path, so one path's changes arrive in order and paths
 * are independent. It never waits on I/O: whatever needs the tree or the service is settled by the
 * sink.
 */
public class PathDecisionFunction extends KeyedProcessFunction<String, BlobChange, LustreAction> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(PathDecisionFunction.class);

    /** The state name is part of savepoints: never change it. */
    static final String STATE_NAME = "import-record";

    private final boolean enableDeletions;
    private final boolean allowSetuid;

    private transient ValueState<ImportRecord> records;
    private transient PathDecisions decisions;

    public PathDecisionFunction(JobSettings settings) {
        this.enableDeletions = settings.enableDeletions;
        this.allowSetuid = settings.allowSetuid;
    }

    /** The state's descriptor, also for tests and tools that read savepoints. */
    public static ValueStateDescriptor<ImportRecord> recordDescriptor() {
        return new ValueStateDescriptor<>(STATE_NAME, TypeInformation.of(ImportRecord.class));
    }

    @Override
    public void open(OpenContext openContext) {
        records = getRuntimeContext().getState(recordDescriptor());
        EntryDefaults defaults = EntryDefaults.ofCurrentUser(allowSetuid);
        if (!defaults.canChown) {
            LOG.warn(
                    "Running as uid {} (not root): owner and group metadata cannot be applied; files get uid {} gid {}",
                    defaults.uid,
                    defaults.uid,
                    defaults.gid);
        }
        decisions = new PathDecisions(enableDeletions, defaults);
    }

    @Override
    public void processElement(BlobChange change, Context ctx, Collector<LustreAction> out)
            throws Exception {
        PathDecisions.Decision decision = decisions.decide(change, records.value());
        for (String warning : decision.warnings()) {
            LOG.warn("Blob '{}': {}", change.blobName, warning);
        }
        switch (decision.change()) {
            case UPDATE:
                records.update(decision.record());
                break;
            case CLEAR:
                records.clear();
                break;
            case KEEP:
            default:
                break;
        }
        if (decision.action() != null) {
            out.collect(decision.action());
        }
    }
}
