package dev.autoimport.job;

import com.azure.storage.blob.models.BlobStorageException;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.lustre.LustreRootFailureException;
import dev.autoimport.job.decision.ImportConflictException;
import dev.autoimport.job.ops.LoggingContainerLayout;
import dev.autoimport.job.ops.PrerequisiteCheck;
import dev.autoimport.job.ops.Redaction;
import dev.autoimport.job.ops.RootLease;
import dev.autoimport.job.ops.RootLockedException;
import dev.autoimport.job.ops.TooManyErrorsException;
import dev.autoimport.job.ops.WalkReport;
import dev.autoimport.job.ops.WalkReports;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of {@code flink run}: parses and validates the settings, checks the
 * prerequisites, takes the Lustre root's lease, then submits the import or auto-import job. When an
 * attached import job finishes, prints the walk's summary. With {@code --local} it starts an
 * embedded Flink with its web UI first, runs the job there and exits when the job ends (an import
 * job that finished or any job that failed), or on Ctrl-C or SIGTERM: then it cancels the job and
 * closes the embedded Flink within {@link #LOCAL_STOP_TIMEOUT}.
 *
 * <p>Exit codes: 0 done (or submitted, when detached); {@value #EXIT_JOB_FAILED} the job failed;
 * {@value #EXIT_BAD_SETTINGS} a bad setting; {@value #EXIT_PREREQUISITES} a prerequisite is not
 * met, or the job failed because its Lustre root did (full, read-only, gone); {@value
 * #EXIT_ROOT_IN_USE} another job holds the Lustre root. Nothing is submitted for 2, 4 and a
 * prerequisite's 3. With {@code --local}, Ctrl-C exits with 130 and SIGTERM with 143 (the JVM's 128
 * + signal), after the job was cancelled.
 */
public final class AutoImportJob {

    private static final Logger LOG = LoggerFactory.getLogger(AutoImportJob.class);

    /** Exit code when the job failed (too many errors, a conflict in fail mode, ...). */
    public static final int EXIT_JOB_FAILED = 1;

    /** Exit code for a bad setting: nothing was submitted. */
    public static final int EXIT_BAD_SETTINGS = 2;

    /** Exit code when a prerequisite is not met: nothing was submitted. */
    public static final int EXIT_PREREQUISITES = 3;

    /** Exit code when another job holds the Lustre root: nothing was submitted. */
    public static final int EXIT_ROOT_IN_USE = 4;

    /**
     * How long {@code --local} waits on Ctrl-C or SIGTERM for the job's cancellation and then for
     * the embedded Flink to close, each; the process exits after that even if they did not.
     */
    public static final Duration LOCAL_STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Set by the shutdown hook of {@code --local}: the job ends because the process stops. */
    private static volatile boolean localStopRequested;

    private AutoImportJob() {}

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        // With --local nothing else may keep the JVM up (Flink's non-daemon threads would).
        if (code != 0 || Arrays.asList(args).contains("--local")) {
            System.exit(code);
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return run(args, out, err, null);
    }

    /**
     * @param afterSource test hook applied right after the source; null in production
     */
    public static int run(
            String[] args,
            PrintStream out,
            PrintStream err,
            MapFunction<BlobChange, BlobChange> afterSource)
            throws Exception {
        CommandLine.Parsed parsed;
        JobSettings settings;
        try {
            parsed = CommandLine.parse(args);
            if (parsed.help) {
                out.print(CommandLine.helpText());
                return 0;
            }
            if (parsed.version) {
                out.print(CommandLine.versionText());
                return 0;
            }
            settings = JobSettings.from(parsed.configuration);
        } catch (IllegalArgumentException e) {
            err.println("auto-import: " + e.getMessage());
            err.println("auto-import: nothing was submitted; --help lists every setting");
            return EXIT_BAD_SETTINGS;
        }
        String version = AutoImportVersion.current();
        LOG.info(
                "auto-import {} starting: mode {}, container {}, Lustre root {}, parallelism {}",
                version,
                settings.mode.value(),
                settings.storage.container(),
                settings.lustreRoot,
                settings.parallelism < 0 ? "cluster default" : settings.parallelism);
        out.println("auto-import " + version + ": job '" + settings.jobName + "'");

        List<String> problems =
                new PrerequisiteCheck(settings)
                        .problems(note -> out.println("auto-import: " + note));
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("auto-import: " + p));
            err.println("auto-import: nothing was submitted");
            return EXIT_PREREQUISITES;
        }

        RootLease lease =
                RootLease.forNewJob(
                        settings.loggingStorage(), settings.lustreRoot, settings.jobName);
        try {
            lease.acquire(null);
        } catch (RootLockedException e) {
            err.println("auto-import: " + e.getMessage());
            err.println("auto-import: nothing was submitted");
            return EXIT_ROOT_IN_USE;
        } catch (BlobStorageException e) {
            err.println(
                    "auto-import: logging.container: cannot take the Lustre root's lock ("
                            + lease.location()
                            + "): HTTP "
                            + e.getStatusCode()
                            + " "
                            + e.getErrorCode()
                            + "; the credential must be allowed to write there");
            err.println("auto-import: nothing was submitted");
            return EXIT_PREREQUISITES;
        }

        if (parsed.local) {
            return runLocally(settings, lease, parsed.webUiPort, out, err);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AutoImportPipeline.configure(env, settings);
        AutoImportPipeline.build(env, settings, lease, afterSource);
        return execute(env, settings, lease, out, err);
    }

    private static int execute(
            StreamExecutionEnvironment env,
            JobSettings settings,
            RootLease lease,
            PrintStream out,
            PrintStream err) {
        JobExecutionResult result;
        try {
            result = env.execute(settings.jobName);
        } catch (Exception e) {
            lease.release();
            if (localStopRequested) {
                err.println("auto-import: stopped: the job was cancelled (Ctrl-C or SIGTERM)");
                return EXIT_JOB_FAILED;
            }
            err.println("auto-import: the job failed: " + failureMessage(e));
            if (exitCodeOf(e) == EXIT_PREREQUISITES) {
                err.println(
                        "auto-import: the Lustre root "
                                + settings.lustreRoot
                                + " failed, not a blob: fix what the line above names, then start"
                                + " the job again (from its last checkpoint, or without one: the"
                                + " walk recognizes the files already in place)");
                return EXIT_PREREQUISITES;
            }
            err.println(
                    "auto-import: failed blobs are in the error log: container '"
                            + settings.loggingContainer
                            + "', blobs under '"
                            + LoggingContainerLayout.errorLogFolder(settings.jobName)
                            + "'");
            return EXIT_JOB_FAILED;
        }
        String jobId = result.getJobID().toString();
        if (!result.isJobExecutionResult()) {
            out.println(
                    "auto-import: submitted job "
                            + jobId
                            + " ('"
                            + settings.jobName
                            + "'); follow it with deploy/status.sh --rest <address> --job "
                            + jobId);
            return 0;
        }
        out.println("auto-import: job " + jobId + " ('" + settings.jobName + "') finished");
        printWalkSummary(settings, jobId, out);
        return 0;
    }

    /** Prints the walk's table, summed from the subtasks' reports in the logging container. */
    static void printWalkSummary(JobSettings settings, String jobId, PrintStream out) {
        WalkReports reports = new WalkReports(settings.loggingStorage().containerClient());
        Optional<WalkReport> summary;
        try {
            summary = reports.readSummed(settings.jobName, jobId);
        } catch (RuntimeException e) {
            out.println(
                    "auto-import: the walk's reports cannot be read ("
                            + reports.location(settings.jobName, jobId)
                            + "): "
                            + Redaction.scrub(String.valueOf(e.getMessage())));
            return;
        }
        if (summary.isEmpty()) {
            out.println(
                    "auto-import: no walk report was written ("
                            + reports.location(settings.jobName, jobId)
                            + "); see the task managers' logs");
            return;
        }
        out.print(summary.get().format());
        if (summary.get().count(SyncMetrics.ERRORS) > 0) {
            out.println(
                    "auto-import: failed blobs are in the error log: container '"
                            + settings.loggingContainer
                            + "', blobs under '"
                            + LoggingContainerLayout.errorLogFolder(settings.jobName)
                            + "'");
        }
        if (settings.dryRun) {
            out.println(
                    "auto-import: a dry run: nothing under "
                            + settings.lustreRoot
                            + " was changed; the counts above are what the import would do, and"
                            + " each change is listed in container '"
                            + settings.loggingContainer
                            + "', blobs under '"
                            + LoggingContainerLayout.planFolder(settings.jobName)
                            + "'");
        }
    }

    /**
     * The message that says why the job failed: ours when we know it (a Lustre root that failed
     * names the root, the cause and what to do), else the root cause.
     */
    static String failureMessage(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TooManyErrorsException
                    || t instanceof RootLockedException
                    || t instanceof ImportConflictException
                    || t instanceof LustreRootFailureException) {
                return Redaction.scrub(t.getMessage());
            }
            root = t;
        }
        return Redaction.scrub(root.getClass().getSimpleName() + ": " + root.getMessage());
    }

    /** The exit code of a job that failed with this: 3 for its Lustre root, else 1. */
    static int exitCodeOf(Throwable failure) {
        return lustreRootFailure(failure).isPresent() ? EXIT_PREREQUISITES : EXIT_JOB_FAILED;
    }

    private static Optional<LustreRootFailureException> lustreRootFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LustreRootFailureException) {
                return Optional.of((LustreRootFailureException) t);
            }
        }
        return Optional.empty();
    }

    private static int runLocally(
            JobSettings settings, RootLease lease, int webUiPort, PrintStream out, PrintStream err)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, webUiPort);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        URI rest = cluster.getRestAddress().get();
        out.println("auto-import: Flink web UI at " + rest);
        out.println("auto-import: mirroring into " + settings.lustreRoot);
        Thread stopOnSignal =
                new Thread(() -> stopOnSignal(cluster, err), "auto-import-local-shutdown");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        rest.getHost(), rest.getPort(), conf);
        if (settings.parallelism < 0) {
            env.setParallelism(2);
        }
        AutoImportPipeline.configure(env, settings);
        AutoImportPipeline.build(env, settings, lease, null);
        int code = execute(env, settings, lease, out, err);
        if (localStopRequested) {
            // The shutdown hook cancels the job and closes the cluster; the JVM exits after it.
            return code;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnSignal);
        } catch (IllegalStateException shuttingDown) {
            return code;
        }
        out.println(
                "auto-import: the job ended; stopping the embedded Flink (exit code " + code + ")");
        close(cluster, err);
        return code;
    }

    /**
     * The shutdown hook of {@code --local} (Ctrl-C, SIGTERM): cancels the jobs that still run,
     * waits for them to end, then closes the cluster, each within {@link #LOCAL_STOP_TIMEOUT}.
     * Never blocks longer: a hook that hangs keeps the process up.
     */
    private static void stopOnSignal(MiniCluster cluster, PrintStream err) {
        localStopRequested = true;
        err.println("auto-import: stopping: cancelling the job, then the embedded Flink");
        long timeout = LOCAL_STOP_TIMEOUT.toMillis();
        try {
            Collection<JobStatusMessage> jobs =
                    cluster.listJobs().get(timeout, TimeUnit.MILLISECONDS);
            for (JobStatusMessage job : jobs) {
                if (!job.getJobState().isGloballyTerminalState()) {
                    JobID id = job.getJobId();
                    cluster.cancelJob(id).get(timeout, TimeUnit.MILLISECONDS);
                    cluster.requestJobResult(id).get(timeout, TimeUnit.MILLISECONDS);
                }
            }
        } catch (TimeoutException e) {
            err.println(
                    "auto-import: the job did not end within "
                            + LOCAL_STOP_TIMEOUT.toSeconds()
                            + " s of its cancellation; stopping anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            err.println("auto-import: cancelling the job failed: " + failureMessage(e));
        }
        close(cluster, err);
    }

    /** Closes the embedded Flink, waiting at most {@link #LOCAL_STOP_TIMEOUT}. */
    private static void close(MiniCluster cluster, PrintStream err) {
        try {
            cluster.closeAsync().get(LOCAL_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.println(
                    "auto-import: the embedded Flink did not close within "
                            + LOCAL_STOP_TIMEOUT.toSeconds()
                            + " s; exiting anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            err.println("auto-import: closing the embedded Flink failed: " + failureMessage(e));
        }
    }
}
