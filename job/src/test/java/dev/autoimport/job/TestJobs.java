package dev.autoimport.job;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Starts the real job in the test's MiniCluster and reads the metrics it reports. */
final class TestJobs {

    static final String LOGGING_CONTAINER = "auto-import-logs";

    private TestJobs() {}

    /** Settings as a user passes them, with the test's Azurite, container and root. */
    static JobSettings settings(
            AzuriteExtension azurite, String container, Path root, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--storage.connection-string",
                                azurite.connectionString(),
                                "--storage.container",
                                container,
                                "--logging.container",
                                LOGGING_CONTAINER,
                                "--lustre.root",
                                root.toString(),
                                "--job.parallelism",
                                "2",
                                "--job.checkpoint-interval",
                                "200ms",
                                "--changefeed.poll-interval",
                                "100ms"));
        args.addAll(List.of(extra));
        return JobSettings.from(CommandLine.parse(args.toArray(String[]::new)).configuration);
    }

    /** Submits the job; restarts (fixed delay, a few attempts) as a cluster would. */
    static JobClient start(JobSettings settings, MapFunction<BlobChange, BlobChange> hook)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restart = new Configuration();
        restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        restart.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        env.configure(restart);
        AutoImportPipeline.configure(env, settings);
        AutoImportPipeline.build(env, settings, hook);
        return env.executeAsync(settings.jobName);
    }

    /** A counter summed over subtasks, or the largest value of a gauge. */
    static long metric(InMemoryReporter reporter, JobID jobId, String suffix) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                reporter.getMetricsByGroup().entrySet()) {
            if (!jobId.toString().equals(group.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> m : group.getValue().entrySet()) {
                String id = group.getKey().getMetricIdentifier(m.getKey());
                if (!id.endsWith("." + suffix)) {
                    continue;
                }
                if (m.getValue() instanceof Counter) {
                    sum += ((Counter) m.getValue()).getCount();
                } else if (m.getValue() instanceof Gauge
                        && ((Gauge<?>) m.getValue()).getValue() instanceof Long) {
                    sum = Math.max(sum, (Long) ((Gauge<?>) m.getValue()).getValue());
                }
            }
        }
        return sum;
    }
}
