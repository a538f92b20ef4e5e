package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of the {@link LustreSink}: carries out actions on a pool of I/O threads, in arrival
 * order per path, many at once, without ever blocking the task's thread. Everything the task sees
 * happens on its mailbox thread: {@link #write} yields to the mailbox while the pool is full,
 * {@link #flush} yields until every action written so far has ended, and each action's outcome
 * reaches the {@link ActionListener} as a mail, so the listener needs no locks.
 *
 * <p>Failures come in two kinds. One that concerns a single blob (a path rule, a conflict, a parent
 * that is a link or a file, a blob gone, a permission denied on one entry) is reported to {@link
 * ActionListener#onFailure} and the job goes on, with nothing of that action left behind. One that
 * concerns the whole file system (no space, read-only, the root gone or unmounted), an unavailable
 * content source, or a bug, fails the job: the next {@link #write} or {@link #flush} throws it (a
 * {@link LustreRootFailureException} for the file system, naming the root and what to do), actions
 * not yet carried out are dropped unreported, and since the checkpoint does not complete, Flink
 * replays them after the restart.
 */
final class LustreSinkWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LustreSinkWriter.class);

    /**
     * Tries of one action when the tree changed under it (a parent removed, an entry created by
     * another writer at the same moment).
     */
    private static final int MAX_ATTEMPTS = 3;

    private static final long SHUTDOWN_TIMEOUT_SECONDS = 30;

    private final LustreRoot root;
    private final StagingArea staging;
    private final ContentSource.Reader content;
    private final ActionListener listener;
    private final EntryApplier applier;
    private final PathSynchronizer synchronizer;
    private final FailureClassifier classifier;
    private final PathOrderedExecutor executor;
    private final MailboxExecutor mailbox;

    /**
     * Back-off between the in-place tries of an action whose blob the service failed to serve for a
     * passing reason, after the client's own retries ({@link RepairSchedule}).
     */
    private final long[] transientBackOffMillis;

    private final AtomicReference<Exception> jobFailure = new AtomicReference<>();
    private volatile boolean closing;

    /**
     * Actions written whose outcome has not run on the mailbox thread yet (each action hands on
     * exactly one mail). Touched on the mailbox thread only.
     */
    private int pending;

    private LustreSinkWriter(
            LustreRoot root,
            StagingArea staging,
            ContentSource.Reader content,
            ActionListener listener,
            PosixAttributes defaultDirectory,
            SyncPolicy policy,
            boolean syncFiles,
            int maxConcurrentActions,
            int subtaskIndex,
            MetricGroup metricGroup,
            MailboxExecutor mailbox,
            RepairSchedule repairSchedule) {
        this.mailbox = mailbox;
        this.transientBackOffMillis = repairSchedule.inPlaceBackOffMillis();
        this.root = root;
        this.staging = staging;
        this.content = content;
        this.listener = listener;
        // A dry run has no staging area: it creates nothing under the root.
        this.applier =
                staging == null
                        ? EntryApplier.DRY_RUN
                        : new ActionApplier(root, staging, content, defaultDirectory, syncFiles);
        this.synchronizer =
                policy == null
                        ? null
                        : new PathSynchronizer(
                                new NamespaceInspector(root), policy, content, applier);
        this.classifier = new FailureClassifier(root, staging);
        this.executor =
                new PathOrderedExecutor(
                        maxConcurrentActions,
                        "lustre-sink-" + subtaskIndex + "-io-",
                        this::markReached);
        metricGroup.gauge(LustreSinkMetrics.ACTIONS_IN_FLIGHT, (Gauge<Integer>) executor::inFlight);
    }

    /**
     * @param mailbox the task's mailbox, where outcomes are delivered and {@link #write} and {@link
     *     #flush} yield
     * @param listener hears every outcome, on the mailbox thread
     */
    static LustreSinkWriter open(
            LustreSink sink,
            int subtaskIndex,
            int parallelism,
            MetricGroup metricGroup,
            MailboxExecutor mailbox,
            ActionListener listener)
            throws IOException {
        Optional<String> problem = LustreRoot.findProblem(sink.root());
        if (problem.isPresent()) {
            throw new LustreRootFailureException(
                    "Sink subtask " + subtaskIndex + " cannot start: " + problem.get(), null);
        }
        LustreRoot root = new LustreRoot(sink.root());
        StagingArea staging =
                sink.dryRun() ? null : StagingArea.open(root, subtaskIndex, parallelism);
        ContentSource.Reader content = null;
        try {
            content = sink.contentSource().open();
            LOG.info(
                    "Lustre sink subtask {} of {} {} {} with up to {} actions at once",
                    subtaskIndex,
                    parallelism,
                    sink.dryRun() ? "decides (a dry run: changes nothing) under" : "writes under",
                    root,
                    sink.maxConcurrentActions());
            return new LustreSinkWriter(
                    root,
                    staging,
                    content,
                    listener,
                    sink.defaultDirectory(),
                    sink.policy(),
                    sink.syncFiles(),
                    sink.maxConcurrentActions(),
                    subtaskIndex,
                    metricGroup,
                    mailbox,
                    sink.repairSchedule());
        } catch (RuntimeException e) {
            if (content != null) {
                content.close();
            }
            if (staging != null) {
                staging.close();
            }
            throw e;
        }
    }

    /**
     * Queues the action behind earlier actions on the same path; yields to the mailbox while the
     * maximum number of actions is unfinished.
     */
    void write(LustreAction action) throws IOException, InterruptedException {
        throwIfJobMustFail();
        LustreAction own = action.copy();
        if (own.operation == LustreAction.Operation.NONE && pending == 0) {
            // Nothing before it still on its way: reported at once, in order.
            listener.onSuccess(own);
            return;
        }
        while (executor.isFull()) {
            mailbox.yield();
            throwIfJobMustFail();
        }
        String key = String.valueOf(own.path);
        if (own.operation == LustreAction.Operation.NONE) {
            // Behind the actions before it, so that outcomes arrive in the order written.
            pending++;
            executor.submit(key, () -> {}, () -> deliverOutcome(() -> listener.onSuccess(own)));
            return;
        }
        // The outcome is handed on after the action's slot is free: a write yielding for room
        // always finds it once that mail has run.
        Runnable[] outcome = new Runnable[1];
        pending++;
        executor.submit(
                key,
                () -> outcome[0] = run(own),
                // Not carried out (the job fails or stops): an empty mail, so flush stops waiting.
                () -> deliverOutcome(outcome[0] != null ? outcome[0] : () -> {}));
    }

    /**
     * Tells the listener, once every action written before this watermark is carried out or
     * reported, that everything up to the watermark's time is applied.
     */
    void writeWatermark(long watermarkMillis) {
        executor.mark(watermarkMillis);
    }

    /** Yields to the mailbox until every action written so far is carried out and reported. */
    void flush() throws IOException, InterruptedException {
        throwIfJobMustFail();
        while (pending > 0) {
            mailbox.yield();
            throwIfJobMustFail();
        }
    }

    /** Hands an outcome to the mailbox thread. */
    private void deliverOutcome(Runnable outcome) {
        execute(
                () -> {
                    pending--;
                    outcome.run();
                },
                "lustre sink outcome");
    }

    private void markReached(long watermarkMillis) {
        execute(() -> listener.onAppliedUpTo(watermarkMillis), "lustre sink watermark");
    }

    private void execute(Runnable mail, String description) {
        try {
            mailbox.execute(mail::run, description);
        } catch (RejectedExecutionException closedAlready) {
            // The task ends; whatever was not reported is replayed after the restart.
        }
    }

    @Override
    public void close() {
        closing = true;
        boolean stopped;
        try {
            stopped = executor.shutdownNow(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        content.close();
        if (staging == null) {
            return;
        }
        if (!stopped) {
            LOG.warn(
                    "Actions still running after {} s; leaving {} for the next start to clean",
                    SHUTDOWN_TIMEOUT_SECONDS,
                    staging.directory());
            return;
        }
        try {
            staging.close();
        } catch (IOException e) {
            LOG.warn(
                    "Could not remove staging directory {}; the next start removes it",
                    staging.directory(),
                    e);
        }
    }

    /**
     * Carries the action out on an I/O thread.
     *
     * @return its outcome, to be handed to the listener on the mailbox thread; null when it was not
     *     carried out because the job fails or stops (it is replayed after the restart)
     */
    private Runnable run(LustreAction action) {
        for (int attempt = 1; ; attempt++) {
            if (closing || jobFailure.get() != null) {
                return null;
            }
            Throwable error = null;
            LustreAction done = action;
            try {
                done = carryOutOnce(action);
            } catch (Exception | Error e) {
                error = e;
            }
            if (error == null) {
                LustreAction outcome = done;
                outcome.attempts = attempt;
                return () -> listener.onSuccess(outcome);
            }
            if (closing) {
                return null;
            }
            Optional<Exception> fatal = classifier.jobFailure(error, action);
            if (fatal.isPresent()) {
                failJob(fatal.get());
                return null;
            }
            if (attempt < MAX_ATTEMPTS && isRaceWithAnotherChange(error)) {
                continue;
            }
            if (error instanceof ContentSource.TransientSourceException
                    && attempt <= transientBackOffMillis.length
                    && backOff(transientBackOffMillis[attempt - 1], action, error)) {
                continue;
            }
            Throwable failure = error;
            int attempts = attempt;
            return () -> listener.onFailure(action, failure, attempts);
        }
    }

    /**
     * Waits before another try; only this path's later actions wait with it.
     *
     * @return false if the sink closes or fails meanwhile
     */
    private boolean backOff(long millis, LustreAction action, Throwable error) {
        LOG.info(
                "{} of blob '{}' failed for a passing reason ({}); trying again in {} ms",
                action.operation,
                action.blobName,
                error.getMessage(),
                millis);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !closing && jobFailure.get() == null;
    }

    private LustreAction carryOutOnce(LustreAction action) throws IOException {
        if (action.operation == LustreAction.Operation.SYNC
                || action.operation == LustreAction.Operation.REMOVE) {
            if (synchronizer == null) {
                throw new IllegalStateException(
                        "a "
                                + action.operation
                                + " action needs the sink built with setPolicy(...)");
            }
            return synchronizer.carryOut(action);
        }
        applier.apply(action);
        return action;
    }

    private static boolean isRaceWithAnotherChange(Throwable error) {
        return error instanceof NoSuchFileException || error instanceof FileAlreadyExistsException;
    }

    private void failJob(Exception failure) {
        if (jobFailure.compareAndSet(null, failure)) {
            LOG.error("Lustre sink must fail the job (root {})", root, failure);
            // Wakes a write or flush that yields for outcomes which will now never come.
            execute(() -> {}, "lustre sink failure");
        }
    }

    private void throwIfJobMustFail() throws IOException {
        Exception failure = jobFailure.get();
        if (failure == null) {
            return;
        }
        if (failure instanceof IOException) {
            throw (IOException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        throw new IOException(failure);
    }
}
