package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of the {@link LustreSink}: carries out actions on a bounded pool, in arrival order
 * per path, and waits for all of them in {@link #flush} (before every checkpoint barrier).
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
public final class LustreSinkWriter implements SinkWriter<LustreAction> {

    private static final Logger LOG = LoggerFactory.getLogger(LustreSinkWriter.class);

    /**
     * Tries of one action when the tree changed under it (a parent removed, an entry created by
     * another writer at the same moment).
     */
    private static final int MAX_ATTEMPTS = 3;

    private static final long SHUTDOWN_TIMEOUT_SECONDS = 30;

    /**
     * Back-off between tries of an action whose blob the service failed to serve for a passing
     * reason, after the client's own retries: about a minute in all before it counts as an error.
     */
    static final long[] TRANSIENT_BACKOFF_MILLIS = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000};

    private final LustreRoot root;
    private final StagingArea staging;
    private final ContentSource.Reader content;
    private final ActionListener listener;
    private final ActionApplier applier;
    private final PathSynchronizer synchronizer;
    private final FailureClassifier classifier;
    private final PathOrderedExecutor executor;
    private final AtomicReference<Exception> jobFailure = new AtomicReference<>();
    private volatile boolean closing;

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
            MetricGroup metricGroup) {
        this.root = root;
        this.staging = staging;
        this.content = content;
        this.listener = listener;
        this.applier = new ActionApplier(root, staging, content, defaultDirectory, syncFiles);
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
                        listener::onAppliedUpTo);
        metricGroup.gauge(LustreSinkMetrics.ACTIONS_IN_FLIGHT, (Gauge<Integer>) executor::inFlight);
    }

    static LustreSinkWriter open(
            LustreSink sink, int subtaskIndex, int parallelism, MetricGroup metricGroup)
            throws IOException {
        Optional<String> problem = LustreRoot.findProblem(sink.root());
        if (problem.isPresent()) {
            throw new LustreRootFailureException(
                    "Sink subtask " + subtaskIndex + " cannot start: " + problem.get(), null);
        }
        LustreRoot root = new LustreRoot(sink.root());
        StagingArea staging = StagingArea.open(root, subtaskIndex, parallelism);
        ContentSource.Reader content = null;
        ActionListener listener = null;
        try {
            content = sink.contentSource().open();
            listener = sink.listenerFactory().create(metricGroup, subtaskIndex, parallelism);
            LOG.info(
                    "Lustre sink subtask {} of {} writes under {} with up to {} actions at once",
                    subtaskIndex,
                    parallelism,
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
                    metricGroup);
        } catch (RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            if (content != null) {
                content.close();
            }
            staging.close();
            throw e;
        }
    }

    /**
     * Queues the action behind earlier actions on the same path; blocks while the maximum number of
     * actions is unfinished.
     */
    @Override
    public void write(LustreAction action, Context context)
            throws IOException, InterruptedException {
        throwIfJobMustFail();
        LustreAction own = action.copy();
        if (own.operation == LustreAction.Operation.NONE) {
            listener.onSuccess(own);
            return;
        }
        executor.submit(String.valueOf(own.path), () -> run(own));
    }

    /**
     * Tells the listener, once every action written before this watermark is carried out or
     * reported, that everything up to the watermark's time is applied.
     */
    @Override
    public void writeWatermark(Watermark watermark) {
        executor.mark(watermark.getTimestamp());
    }

    /** Waits until every action written so far is carried out or reported as failed. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        throwIfJobMustFail();
        executor.awaitIdle();
        throwIfJobMustFail();
        listener.onFlush(endOfInput);
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
        listener.close();
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

    private void run(LustreAction action) {
        try {
            carryOut(action);
        } catch (RuntimeException | Error listenerFailure) {
            failJob(
                    new IllegalStateException(
                            "The action listener failed on " + action, listenerFailure));
        }
    }

    private void carryOut(LustreAction action) {
        for (int attempt = 1; ; attempt++) {
            if (closing || jobFailure.get() != null) {
                // Not carried out: the job fails or stops before its next checkpoint, and the
                // action is replayed after the restart.
                return;
            }
            Throwable error = null;
            LustreAction done = action;
            try {
                done = carryOutOnce(action);
            } catch (Exception | Error e) {
                error = e;
            }
            if (error == null) {
                listener.onSuccess(done);
                return;
            }
            if (closing) {
                return;
            }
            Optional<Exception> fatal = classifier.jobFailure(error, action);
            if (fatal.isPresent()) {
                failJob(fatal.get());
                return;
            }
            if (attempt < MAX_ATTEMPTS && isRaceWithAnotherChange(error)) {
                continue;
            }
            if (error instanceof ContentSource.TransientSourceException
                    && attempt <= TRANSIENT_BACKOFF_MILLIS.length
                    && backOff(TRANSIENT_BACKOFF_MILLIS[attempt - 1], action, error)) {
                continue;
            }
            listener.onFailure(action, error, attempt);
            return;
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
