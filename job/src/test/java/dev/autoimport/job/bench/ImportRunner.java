package dev.autoimport.job.bench;

import dev.autoimport.job.AutoImportPipeline;
import dev.autoimport.job.CommandLine;
import dev.autoimport.job.JobSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * Runs our import job in this JVM on an embedded MiniCluster (one task manager), exactly as {@code
 * AutoImportJob} assembles it, and reads its metrics back from an in-memory reporter.
 *
 * <p>CPU is this process's CPU time over the run ({@code OperatingSystemMXBean}); the benchmark's
 * own threads sleep meanwhile. Peak RSS is {@code VmHWM} after a reset through {@code
 * /proc/self/clear_refs}, so it includes RocksDB's native memory; peak heap is sampled every 50 ms.
 */
final class ImportRunner implements AutoCloseable {

    /** One finished run of the import job. */
    record Run(
            double seconds,
            double cpuSeconds,
            double peakRssMib,
            double peakHeapMib,
            long blobsWalked,
            long imported,
            long preexisting,
            long errors,
            double azuriteCpuSeconds,
            double machineCpuSeconds,
            int peakConnections) {}

    private final InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
    private final MiniCluster cluster;
    private final int parallelism;

    ImportRunner(int parallelism) throws Exception {
        this.parallelism = parallelism;
        Configuration conf = reporter.addToConfiguration(new Configuration());
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(4, parallelism));
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(Math.max(4, parallelism))
                                .build());
        cluster.start();
    }

    /**
     * Runs the import job of {@code container} into {@code root} with the given extra settings
     * (e.g. {@code --lustre.max-concurrent-writes 64}) and waits for it to finish.
     */
    Run run(
            AzuriteServer azurite,
            String container,
            Path root,
            String loggingContainer,
            List<String> extra,
            String label)
            throws Exception {
        JobSettings settings =
                settings("import", azurite, container, root, loggingContainer, extra);
        System.gc();
        ProcStats.resetOwnPeaks();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong(memory.getHeapMemoryUsage().getUsed());
        AtomicLong peakConnections = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(
                () -> {
                    peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    peakConnections.accumulateAndGet(
                            ProcStats.connectionsTo(azurite.port()), Math::max);
                },
                0,
                50,
                TimeUnit.MILLISECONDS);
        String recordingName = label == null ? null : "import-" + label;
        Recording recording = startRecording(recordingName);
        double azCpu0 = azurite.cpuSeconds();
        double machine0 = ProcStats.machineBusySeconds();
        double cpu0 = ProcStats.ownCpuSeconds();
        long start = System.nanoTime();
        JobID id;
        try {
            id = submit(settings).getJobExecutionResult().get().getJobID();
        } finally {
            sampler.shutdownNow();
            stopRecording(recording, recordingName);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = ProcStats.ownCpuSeconds() - cpu0;
        double azCpu = azurite.cpuSeconds() - azCpu0;
        double machine = ProcStats.machineBusySeconds() - machine0;
        return new Run(
                seconds,
                cpu,
                ProcStats.statusMib(ProcStats.ownPid(), "VmHWM"),
                peakHeap.get() / (1024.0 * 1024.0),
                metric(id, "fullSync.blobsWalked"),
                metric(id, "fullSync.blobsImported"),
                metric(id, "fullSync.preexistingFiles")
                        + metric(id, "fullSync.preexistingDirectories")
                        + metric(id, "fullSync.preexistingSymlinks"),
                metric(id, "fullSync.errors"),
                azCpu,
                machine,
                (int) peakConnections.get());
    }

    /**
     * Starts the auto-import job ({@code --mode auto-import}: the walk, then the change feed, with
     * deletions enabled) of {@code container} into {@code root} and returns at once; the caller
     * cancels it. Checkpoints and the poll interval are the job's defaults unless {@code extra}
     * says otherwise.
     */
    JobClient startAutoImport(
            AzuriteServer azurite,
            String container,
            Path root,
            String loggingContainer,
            List<String> extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--sync.enable-deletions", "true"));
        args.addAll(extra);
        return submit(settings("auto-import", azurite, container, root, loggingContainer, args));
    }

    /** Cancels a job started by {@link #startAutoImport} and waits until it has ended. */
    static void cancel(JobClient job) throws Exception {
        job.cancel().get();
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            Thread.sleep(50);
        }
    }

    /**
     * Waits until the auto-import job's walk is over and it reads the change feed: the operations
     * operator reports {@code blobSync.lastFullySynchronizedTime} above 0 (the feed was read to its
     * end and everything before is applied on every writer).
     */
    void awaitBlobSync(JobClient job, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (minGauge(job.getJobID(), "blobSync.lastFullySynchronizedTime", 1) <= 0) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException(
                        "the auto-import job ended: " + job.getJobStatus().get());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the auto-import job did not reach the change feed within " + patience);
            }
            Thread.sleep(200);
        }
    }

    private JobSettings settings(
            String mode,
            AzuriteServer azurite,
            String container,
            Path root,
            String loggingContainer,
            List<String> extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--mode",
                                mode,
                                "--storage.connection-string",
                                azurite.connectionString(),
                                "--storage.container",
                                container,
                                "--logging.container",
                                loggingContainer,
                                "--lustre.root",
                                root.toString(),
                                "--import.max-errors",
                                "-1",
                                "--job.parallelism",
                                Integer.toString(parallelism)));
        args.addAll(extra);
        return JobSettings.from(CommandLine.parse(args.toArray(String[]::new)).configuration);
    }

    private JobClient submit(JobSettings settings) throws Exception {
        StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, parallelism);
        AutoImportPipeline.configure(env, settings);
        AutoImportPipeline.build(env, settings);
        return env.executeAsync(settings.jobName);
    }

    /**
     * With {@code -Dbench.jfr=DIR} (or {@code BENCH_JFR=1} in run.sh), each import run and each
     * blob-sync step is recorded on its own, with CPU samples every 5 ms, into {@code
     * DIR/<label>.jfr} (e.g. {@code import-small-10000-full-sync.jfr}, {@code
     * blobsync-no-download-20000.jfr}); no recording without it or without a label.
     */
    static Recording startRecording(String label) throws Exception {
        if (System.getProperty(JFR_PROPERTY) == null || label == null) {
            return null;
        }
        Recording r = new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(5));
        r.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofSeconds(1));
        r.start();
        return r;
    }

    static void stopRecording(Recording r, String label) throws IOException {
        if (r == null) {
            return;
        }
        r.stop();
        Path file =
                Paths.get(System.getProperty(JFR_PROPERTY))
                        .resolve(label.replaceAll("[^A-Za-z0-9]+", "-") + ".jfr");
        Files.createDirectories(file.getParent());
        r.dump(file);
        r.close();
    }

    static final String JFR_PROPERTY = "bench.jfr";

    /**
     * The state size of the job's first checkpoint completed after {@code afterMillis} (epoch
     * millis; RocksDB: the full size of its files, not the increment), waiting up to {@code
     * patience} for one; empty if none completed meanwhile. Nearly all of it is the keyed state of
     * the per-path decisions.
     */
    OptionalLong checkpointStateBytes(JobID jobId, long afterMillis, Duration patience)
            throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            CompletedCheckpointStats latest =
                    cluster.getExecutionGraph(jobId)
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getHistory()
                            .getLatestCompletedCheckpoint();
            if (latest != null && latest.getTriggerTimestamp() > afterMillis) {
                return OptionalLong.of(latest.getStateSize());
            }
            Thread.sleep(200);
        }
        return OptionalLong.empty();
    }

    /** A counter of the job summed over subtasks, e.g. {@code fullSync.blobsWalked}. */
    long metric(JobID jobId, String suffix) {
        return sum(metrics(jobId, suffix, null));
    }

    /** The sum of the counters among {@code metrics}. */
    static long sum(List<Metric> metrics) {
        long sum = 0;
        for (Metric m : metrics) {
            if (m instanceof Counter) {
                sum += ((Counter) m).getCount();
            }
        }
        return sum;
    }

    /**
     * The smallest value over subtasks of a {@code Long} gauge, e.g. {@code
     * blobSync.lastFullySynchronizedTime}; 0 while a subtask has not registered it yet.
     */
    long minGauge(JobID jobId, String suffix, int subtasks) {
        List<Long> values = new ArrayList<>();
        for (Metric m : metrics(jobId, suffix, null)) {
            if (m instanceof Gauge<?> g && g.getValue() instanceof Long v) {
                values.add(v);
            }
        }
        return values.size() < subtasks
                ? 0
                : values.stream().mapToLong(Long::longValue).min().orElse(0);
    }

    /**
     * One of Flink's own counters of an operator, summed over its subtasks, e.g. {@code
     * numRecordsIn} of {@code per-path decisions}.
     */
    long operatorCounter(JobID jobId, String operatorName, String name) {
        return sum(metrics(jobId, name, operatorName));
    }

    /**
     * The job's metrics whose identifier ends with {@code .suffix}, of one operator or of all
     * ({@code operatorName} null). Reading them again is cheaper than looking them up again.
     */
    List<Metric> metrics(JobID jobId, String suffix, String operatorName) {
        List<Metric> found = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                reporter.getMetricsByGroup().entrySet()) {
            Map<String, String> vars = group.getKey().getAllVariables();
            if (!jobId.toString().equals(vars.get("<job_id>"))
                    || operatorName != null && !operatorName.equals(vars.get("<operator_name>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> m : Map.copyOf(group.getValue()).entrySet()) {
                String id = group.getKey().getMetricIdentifier(m.getKey());
                if (id.endsWith("." + suffix)) {
                    found.add(m.getValue());
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("the MiniCluster did not shut down", e);
        }
    }
}
