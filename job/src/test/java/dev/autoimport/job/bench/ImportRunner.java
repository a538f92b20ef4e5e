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
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
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
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--mode",
                                "import",
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
        JobSettings settings =
                JobSettings.from(CommandLine.parse(args.toArray(String[]::new)).configuration);

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
        Recording recording = startRecording(label);
        double azCpu0 = azurite.cpuSeconds();
        double machine0 = ProcStats.machineBusySeconds();
        double cpu0 = ProcStats.ownCpuSeconds();
        long start = System.nanoTime();
        JobID id;
        try {
            StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, parallelism);
            AutoImportPipeline.configure(env, settings);
            AutoImportPipeline.build(env, settings);
            JobClient client = env.executeAsync(settings.jobName);
            id = client.getJobExecutionResult().get().getJobID();
        } finally {
            sampler.shutdownNow();
            stopRecording(recording, label);
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
     * With {@code -Dbench.jfr=DIR} (or {@code BENCH_JFR=1} in run.sh), each import run is recorded
     * on its own, with CPU samples every 5 ms, into {@code DIR/import-<container>-<phase>.jfr}.
     */
    private static Recording startRecording(String label) throws Exception {
        if (System.getProperty(JFR_PROPERTY) == null || label == null) {
            return null;
        }
        Recording r = new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(5));
        r.enable("jdk.ThreadCPULoad").withPeriod(Duration.ofSeconds(1));
        r.start();
        return r;
    }

    private static void stopRecording(Recording r, String label) throws IOException {
        if (r == null) {
            return;
        }
        r.stop();
        Path file =
                Paths.get(System.getProperty(JFR_PROPERTY))
                        .resolve("import-" + label.replaceAll("[^A-Za-z0-9]+", "-") + ".jfr");
        Files.createDirectories(file.getParent());
        r.dump(file);
        r.close();
    }

    static final String JFR_PROPERTY = "bench.jfr";

    private long metric(JobID jobId, String suffix) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                reporter.getMetricsByGroup().entrySet()) {
            if (!jobId.toString().equals(group.getKey().getAllVariables().get("<job_id>"))) {
                continue;
            }
            for (Map.Entry<String, Metric> m : group.getValue().entrySet()) {
                String id = group.getKey().getMetricIdentifier(m.getKey());
                if (id.endsWith("." + suffix) && m.getValue() instanceof Counter) {
                    sum += ((Counter) m.getValue()).getCount();
                }
            }
        }
        return sum;
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
