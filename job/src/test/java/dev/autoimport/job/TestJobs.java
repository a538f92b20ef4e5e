package dev.autoimport.job;

import static org.awaitility.Awaitility.await;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
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
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Starts the real job in the test's MiniCluster and reads the metrics it reports. */
final class TestJobs {

    static final String LOGGING_CONTAINER = "auto-import-logs";

    private TestJobs() {}

    /** One TaskManager with 4 slots, reporting every metric to {@code reporter}. */
    static MiniClusterExtension miniCluster(InMemoryReporter reporter) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(reporter.addToConfiguration(new Configuration()))
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(4)
                        .build());
    }

    /** Settings as a user passes them, with the test's Azurite, container and root. */
    static JobSettings settings(
            AzuriteExtension azurite, String container, Path root, String... extra) {
        return settings(azurite.connectionString(), container, root, extra);
    }

    /** Settings as a user passes them, with another way to the blob service (e.g. a proxy). */
    static JobSettings settings(
            String connectionString, String container, Path root, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--storage.connection-string",
                                connectionString,
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
        return start(settings, hook, new Configuration());
    }

    /**
     * Submits the job with extra Flink settings on top, e.g. {@code
     * StateRecoveryOptions.SAVEPOINT_PATH} to start from a savepoint.
     */
    static JobClient start(
            JobSettings settings, MapFunction<BlobChange, BlobChange> hook, Configuration extra)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration restart = new Configuration();
        restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        restart.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        env.configure(restart);
        AutoImportPipeline.configure(env, settings);
        env.configure(extra);
        AutoImportPipeline.build(env, settings, hook);
        return env.executeAsync(settings.jobName);
    }

    /**
     * Cancels the job and waits until it has ended: {@code cancel()} completes when the cluster
     * took the request, while the tasks still close (releasing the root's lease and writing their
     * last reports); a test that goes on at once would stop Azurite or a proxy under them.
     */
    static void cancel(JobClient job) throws Exception {
        job.cancel().get();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> job.getJobStatus().get().isGloballyTerminalState());
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

    /**
     * Waits until every sink subtask of the job's latest attempt reports {@code
     * blobSync.lastFullySynchronizedTime} past {@code millis}: everything the feed had published
     * then is applied. Fails at once if the job ends. Needs a reporter without retained metrics, or
     * one whose older attempts report lower values.
     */
    static void awaitFullySynchronizedPast(
            InMemoryReporter reporter,
            JobClient job,
            long millis,
            Duration patience,
            String about) {
        await().atMost(patience)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions() // the reporter's maps change while tasks restart
                .alias("job " + job.getJobID() + " applies every change; " + about)
                .failFast(
                        "job " + job.getJobID() + " ended; " + about,
                        () -> job.getJobStatus().get().isGloballyTerminalState())
                .until(() -> fullySynchronizedTime(reporter, job.getJobID()).orElse(0) > millis);
    }

    /**
     * The smallest lastFullySynchronizedTime over the sink subtasks of the job's latest attempt.
     */
    static OptionalLong fullySynchronizedTime(InMemoryReporter reporter, JobID jobId) {
        TreeMap<Integer, List<Long>> byAttempt = new TreeMap<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                reporter.getMetricsByGroup().entrySet()) {
            Map<String, String> vars = group.getKey().getAllVariables();
            if (!jobId.toString().equals(vars.get("<job_id>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> m : Map.copyOf(group.getValue()).entrySet()) {
                String id = group.getKey().getMetricIdentifier(m.getKey());
                if (id.endsWith(".blobSync." + SyncMetrics.LAST_FULLY_SYNCHRONIZED_TIME)
                        && m.getValue() instanceof Gauge<?> gauge
                        && gauge.getValue() instanceof Long value) {
                    byAttempt
                            .computeIfAbsent(
                                    Integer.parseInt(vars.get("<task_attempt_num>")),
                                    a -> new ArrayList<>())
                            .add(value);
                }
            }
        }
        return byAttempt.isEmpty()
                ? OptionalLong.empty()
                : byAttempt.lastEntry().getValue().stream().mapToLong(Long::longValue).min();
    }
}
