package dev.autoimport.job;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job-level Flink settings of a run. Checkpointing and the state backend are the cluster's
 * business: what the Flink configuration the job is submitted with says (the cluster's {@code
 * config.yaml}, {@code -D} on {@code flink run}, {@code flinkConfiguration} of a {@code
 * FlinkDeployment}) is left alone. The job fills in only what that configuration does not set:
 *
 * <ul>
 *   <li>the checkpoint interval: {@code --job.checkpoint-interval} when the user gives it for this
 *       job (it then wins over {@code execution.checkpointing.interval}); else the cluster's; else
 *       {@value #DEFAULT_CHECKPOINT_INTERVAL_TEXT}, since the job cannot work without checkpoints
 *       (the sink commits and the change-feed position advance with them); the mode stays {@code
 *       execution.checkpointing.mode} (exactly-once unless the cluster says otherwise);
 *   <li>the state backend: RocksDB with incremental checkpoints unless {@code state.backend.type}
 *       is set (the import records of a large tree do not fit on the heap);
 *   <li>this build's version as a job parameter (the web UI shows it under Job → Configuration),
 *       and the parallelism when {@code job.parallelism} asks for one.
 * </ul>
 */
public final class JobEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(JobEnvironment.class);

    /** The interval used when neither the job's settings nor the cluster set one. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    static final String DEFAULT_CHECKPOINT_INTERVAL_TEXT = "10s";

    /** The state backend used when the cluster sets none. */
    public static final String DEFAULT_STATE_BACKEND = "rocksdb";

    private JobEnvironment() {}

    /** Applies the job-level settings to {@code env}; see the class comment for what wins. */
    public static void configure(StreamExecutionEnvironment env, JobSettings settings) {
        ReadableConfig cluster = env.getConfiguration();
        Configuration conf = new Configuration();
        if (!isSet(cluster, StateBackendOptions.STATE_BACKEND)) {
            conf.set(StateBackendOptions.STATE_BACKEND, DEFAULT_STATE_BACKEND);
            if (!isSet(cluster, CheckpointingOptions.INCREMENTAL_CHECKPOINTS)) {
                conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            }
        }
        conf.set(
                PipelineOptions.GLOBAL_JOB_PARAMETERS,
                Map.of(AutoImportVersion.JOB_PARAMETER, AutoImportVersion.current()));
        env.configure(conf);

        if (settings.checkpointInterval != null) {
            env.enableCheckpointing(settings.checkpointInterval.toMillis());
        } else if (!isSet(cluster, CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            LOG.info(
                    "The Flink configuration sets no execution.checkpointing.interval; the job"
                            + " checkpoints every {} (set it on the cluster or with"
                            + " --job.checkpoint-interval)",
                    DEFAULT_CHECKPOINT_INTERVAL_TEXT);
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        }
        if (settings.parallelism > 0) {
            env.setParallelism(settings.parallelism);
        }
    }

    /** Whether the configuration sets the option itself (or one of its deprecated keys). */
    private static boolean isSet(ReadableConfig config, ConfigOption<?> option) {
        return config.getOptional(option).isPresent();
    }
}
