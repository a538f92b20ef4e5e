package dev.autoimport.job.ops;

import com.azure.storage.blob.BlobContainerClient;
import dev.autoimport.job.SyncMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O side of the {@link OperationsOperator}: its {@link ErrorLog}, the walk's {@link
 * WalkReport}, its {@link ProgressLog}, and the {@link RootLease}. One daemon thread flushes the
 * error log every {@link #FLUSH_INTERVAL}, logs progress every {@link #PROGRESS_INTERVAL}, rewrites
 * the report every {@link #REPORT_INTERVAL} when it changed, and renews the lease, so the
 * operator's task thread never waits on the logging container between checkpoints.
 *
 * <p>A problem that must stop the job (too many errors, the root's lease taken by another job) is
 * kept and thrown from the next call of {@link #checkHealthy}, {@link #blobFailed} or {@link
 * #onFlush}, which the operator makes on its task thread.
 */
public final class SubtaskOperations {

    private static final Logger LOG = LoggerFactory.getLogger(SubtaskOperations.class);

    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(2);
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);
    static final Duration REPORT_INTERVAL = Duration.ofSeconds(30);
    static final Duration CLOSE_DEADLINE = Duration.ofSeconds(20);

    private final OperationsSettings settings;
    private final String jobId;
    private final int subtask;
    private final int parallelism;
    private final Supplier<Map<String, Long>> fullSync;
    private final Supplier<Map<String, Long>> blobSync;
    private final ErrorLog errorLog;

    /** A dry run's plan; null in a real run. */
    private final ErrorLog planLog;

    private final WalkReports reports;
    private final ProgressLog progress;
    private final RootLease lease;
    private final Instant started = Instant.now();
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object reportLock = new Object();
    private volatile boolean inputEnded;
    private Map<String, Long> lastReported;
    private boolean lastReportedComplete;
    private volatile int flushFailures;

    private SubtaskOperations(
            OperationsSettings settings,
            String jobId,
            int subtask,
            int parallelism,
            Supplier<Map<String, Long>> fullSync,
            Supplier<Map<String, Long>> blobSync) {
        this.settings = settings;
        this.jobId = jobId;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.fullSync = fullSync;
        this.blobSync = blobSync;
        BlobContainerClient logging = settings.logging.containerClient();
        this.errorLog = new ErrorLog(logging, settings.jobName, subtask, Clock.systemUTC());
        this.planLog =
                settings.dryRun
                        ? ErrorLog.plan(logging, settings.jobName, subtask, Clock.systemUTC())
                        : null;
        this.reports = new WalkReports(logging);
        this.progress = new ProgressLog(subtask, parallelism);
        this.lease = subtask == 0 ? settings.lease : null;
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "auto-import-operations-" + subtask);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Starts the operations of one sink subtask; subtask 0 takes the root's lease first.
     *
     * @param jobId the Flink job id (names the reports)
     * @throws RootLockedException when another job holds the Lustre root
     */
    public static SubtaskOperations start(
            OperationsSettings settings,
            String jobId,
            int subtask,
            int parallelism,
            Supplier<Map<String, Long>> fullSync,
            Supplier<Map<String, Long>> blobSync) {
        SubtaskOperations ops =
                new SubtaskOperations(settings, jobId, subtask, parallelism, fullSync, blobSync);
        if (ops.lease != null) {
            try {
                ops.lease.acquire(jobId);
            } catch (RuntimeException e) {
                ops.scheduler.shutdownNow();
                throw e;
            }
            LOG.info(
                    "Holding the Lustre root {} ({})",
                    ops.lease.lustreRoot(),
                    ops.lease.location());
            ops.every("lease renewal", RootLease.RENEW_INTERVAL, ops::renewLease);
        }
        ops.every("error log flush", FLUSH_INTERVAL, ops::flushErrorLog);
        ops.every("progress log", PROGRESS_INTERVAL, ops::logProgress);
        ops.every("walk report", REPORT_INTERVAL, () -> ops.writeReport(false));
        return ops;
    }

    /** Where this job's error log is, for messages. */
    public String errorLogLocation() {
        return errorLog.location();
    }

    /** Logs one change a dry run would make (never blocks on the network). */
    public void planned(ErrorLogEntry entry) {
        planLog.add(entry);
    }

    /** Logs one failed blob. */
    public void blobFailed(ErrorLogEntry entry) {
        errorLog.add(entry);
        checkHealthy();
    }

    /**
     * Writes the error log now and stops the job without restart: more blobs failed than {@code
     * import.max-errors} allows.
     */
    public void stopForTooManyErrors(TooManyErrorsException e) {
        flushErrorLog();
        fail(new SuppressRestartsException(e));
        checkHealthy();
    }

    /** Throws the problem that must stop the job, if there is one. */
    public void checkHealthy() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /**
     * The sink flushed (a checkpoint, or the end of input): writes the error log, and at the end of
     * input the final report part and the exact error count.
     */
    public void onFlush(boolean endOfInput) {
        flushErrorLog();
        if (endOfInput) {
            inputEnded = true;
            writeReport(true);
        }
        checkHealthy();
    }

    /**
     * Stops the thread, writes what is pending and releases the lease (subtask 0), giving the
     * logging container at most {@link #CLOSE_DEADLINE}: a job being cancelled while the account
     * does not answer must not sit out every retry (Flink kills a task manager whose task does not
     * end within {@code task.cancellation.timeout}).
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        Thread last = new Thread(this::writeLast, "auto-import-operations-close-" + subtask);
        last.setDaemon(true);
        last.start();
        boolean interrupted = false;
        long deadline = System.nanoTime() + CLOSE_DEADLINE.toNanos();
        while (last.isAlive() && System.nanoTime() < deadline) {
            try {
                last.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                // Flink interrupts a task being cancelled; the last writes still get their time.
                interrupted = true;
            }
        }
        if (last.isAlive()) {
            last.interrupt();
            LOG.warn(
                    "Subtask {}: the logging container ({}) did not take the last error log"
                            + " lines, walk report{} within {}; the failures are in this task"
                            + " manager's log{}",
                    subtask,
                    errorLog.location(),
                    lease != null ? " and lease release" : "",
                    CLOSE_DEADLINE,
                    lease != null
                            ? ", and the lease of the Lustre root expires by itself within "
                                    + RootLease.DURATION
                            : "");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLast() {
        try {
            scheduler.awaitTermination(CLOSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return;
        }
        flushErrorLog();
        if (errorLog.pendingLines() > 0) {
            LOG.warn(
                    "{} error log line(s) of subtask {} could not be written to the logging"
                            + " container; the failures are in this task manager's log",
                    errorLog.pendingLines(),
                    subtask);
        }
        writeReport(inputEnded);
        if (lease != null) {
            lease.release();
            LOG.info("Released the Lustre root {}", lease.lustreRoot());
        }
    }

    private void fail(RuntimeException e) {
        failure.compareAndSet(null, e);
    }

    private void every(String what, Duration interval, Runnable task) {
        long ms = interval.toMillis();
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.warn(
                                "Subtask {}: {} failed, tried again in {}: {}",
                                subtask,
                                what,
                                interval,
                                Redaction.scrub(String.valueOf(e.getMessage())));
                    }
                },
                ms,
                ms,
                TimeUnit.MILLISECONDS);
    }

    private void flushErrorLog() {
        try {
            errorLog.flush();
            if (planLog != null) {
                planLog.flush();
            }
            flushFailures = 0;
        } catch (RuntimeException e) {
            if (flushFailures++ % 30 == 0) {
                LOG.warn(
                        "Cannot write the error log ({}); {} line(s) kept for the next try: {}",
                        errorLog.location(),
                        errorLog.pendingLines(),
                        Redaction.scrub(String.valueOf(e.getMessage())));
            }
        }
        long dropped = errorLog.droppedLines();
        if (dropped > 0 && flushFailures == 1) {
            LOG.warn(
                    "{} error log line(s) were dropped while the container was unwritable",
                    dropped);
        }
    }

    private void logProgress() {
        long now = System.nanoTime();
        progress.log(SyncMetrics.FULL_SYNC, fullSync.get(), now);
        progress.log(SyncMetrics.BLOB_SYNC, blobSync.get(), now);
    }

    private void writeReport(boolean complete) {
        synchronized (reportLock) {
            writeReportLocked(complete);
        }
    }

    private void writeReportLocked(boolean endOfInput) {
        Map<String, Long> counts = fullSync.get();
        boolean complete = endOfInput || inputEnded;
        if (counts.equals(lastReported) && complete == lastReportedComplete) {
            return;
        }
        WalkReport part =
                new WalkReport(
                        settings.jobName,
                        jobId,
                        subtask,
                        parallelism,
                        1,
                        complete,
                        started,
                        Instant.now(),
                        counts);
        try {
            reports.write(part);
            lastReported = counts;
            lastReportedComplete = complete;
        } catch (RuntimeException e) {
            LOG.warn(
                    "Cannot write the walk report of subtask {} ({}): {}",
                    subtask,
                    reports.location(settings.jobName, jobId),
                    Redaction.scrub(String.valueOf(e.getMessage())));
        }
    }

    private void renewLease() {
        try {
            lease.renew(jobId);
        } catch (RootLockedException e) {
            LOG.error("Lost the Lustre root to another job: {}", e.getMessage());
            fail(e);
        }
    }
}
