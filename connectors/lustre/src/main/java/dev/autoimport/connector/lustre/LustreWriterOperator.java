package dev.autoimport.connector.lustre;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LustreSink}'s operator: writes each action through a {@link LustreSinkWriter} and
 * emits its outcome downstream, as Iceberg's stream writer emits its write results to one
 * committer.
 *
 * <p>Outcomes and watermarks are emitted from mails on the task's own thread, so they interleave
 * with input records in a well-defined way. Before each checkpoint barrier ({@link
 * #prepareSnapshotPreBarrier}) the writer finishes and reports everything written so far, so the
 * barrier passes downstream after the outcomes it covers, and a completed checkpoint has no
 * unfinished write. A watermark is passed on once every action before it is carried out: the time
 * up to which the tree is fully synchronized.
 *
 * <p>Self-repair: an action that still fails for a passing fault of the content source after its
 * in-place tries is kept in keyed state with a processing-time timer ({@link RepairSchedule}), so a
 * failover does not forget it, and is carried out again when the timer fires. Its outcome is
 * emitted once, when the repair succeeds, when the repairs are used up (then as an error), or when
 * a later action on the same path supersedes it. While any repair is pending, watermarks are held
 * back: the subtask's tree is not fully synchronized.
 */
final class LustreWriterOperator extends AbstractStreamOperator<LustreAction>
        implements OneInputStreamOperator<LustreAction, LustreAction>,
                BoundedOneInput,
                ActionListener,
                Triggerable<Object, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(LustreWriterOperator.class);

    /** Name of the keyed state of pending repairs, and of their timers; never to change. */
    static final String REPAIR_STATE = "lustre-repairs";

    private static final ValueStateDescriptor<PendingRepair> REPAIRS =
            new ValueStateDescriptor<>(REPAIR_STATE, TypeInformation.of(PendingRepair.class));

    private final LustreSink sink;
    private final transient MailboxExecutor mailbox;
    private transient LustreSinkWriter writer;
    private transient ValueState<PendingRepair> repairs;
    private transient InternalTimerService<VoidNamespace> repairTimers;

    /** What an action handed to the writer was, to match its outcome (they come back in order). */
    private enum Sent {
        /** A NONE action: a report only. */
        REPORT,
        /** An action that changes the path. */
        ACTION,
        /** A pending repair, carried out again. */
        REPAIR
    }

    /**
     * Per key, the actions handed to the writer whose outcome has not come back, in order; empty at
     * every checkpoint, since the writer finishes everything before the barrier.
     */
    private transient Map<Object, ArrayDeque<Sent>> unfinished;

    /** Per key, the repair being carried out now (taken out of the keyed state when it fired). */
    private transient Map<Object, PendingRepair> repairing;

    private transient long repairsPending;
    private transient Counter repaired;

    /** The newest watermark held back while repairs are pending; MIN_VALUE when none. */
    private transient long heldWatermark;

    private transient boolean inputEnded;

    LustreWriterOperator(StreamOperatorParameters<LustreAction> parameters, LustreSink sink) {
        super(parameters);
        this.sink = sink;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void open() throws Exception {
        super.open();
        unfinished = new HashMap<>();
        repairing = new HashMap<>();
        heldWatermark = Long.MIN_VALUE;
        repairs = getPartitionedState(REPAIRS);
        repairTimers =
                getInternalTimerService(REPAIR_STATE, VoidNamespaceSerializer.INSTANCE, this);
        try (var kept = getKeyedStateBackend().getKeys(REPAIR_STATE, VoidNamespace.INSTANCE)) {
            repairsPending = kept.count();
        }
        if (repairsPending > 0) {
            LOG.info("{} action(s) restored for a later repair", repairsPending);
        }
        getMetricGroup()
                .gauge(LustreSinkMetrics.REPAIRS_PENDING, (Gauge<Long>) () -> repairsPending);
        repaired = getMetricGroup().counter(LustreSinkMetrics.ACTIONS_REPAIRED);
        TaskInfo task = getRuntimeContext().getTaskInfo();
        writer =
                LustreSinkWriter.open(
                        sink,
                        task.getIndexOfThisSubtask(),
                        task.getNumberOfParallelSubtasks(),
                        getMetricGroup(),
                        mailbox,
                        this);
    }

    @Override
    public void processElement(StreamRecord<LustreAction> element) throws Exception {
        LustreAction action = element.getValue();
        boolean changesPath = action.operation != LustreAction.Operation.NONE;
        if (changesPath) {
            supersedeRepair(getCurrentKey());
        }
        submit(getCurrentKey(), action, changesPath ? Sent.ACTION : Sent.REPORT);
    }

    /** A later action on the path replaces its pending or running repair. */
    private void supersedeRepair(Object key) throws Exception {
        if (!repairsOutstanding()) {
            // The common case costs no state lookup.
            return;
        }
        PendingRepair running = repairing.remove(key);
        if (running != null) {
            // Its outcome, when it comes, is reported as superseded (see onFailure).
            return;
        }
        PendingRepair pending = repairs.value();
        if (pending == null) {
            return;
        }
        repairs.clear();
        repairTimers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, pending.dueMillis);
        repairsPending--;
        emitSuperseded(pending.action, pending.attempts);
        releaseHeldWatermark();
    }

    private void submit(Object key, LustreAction action, Sent sent) throws Exception {
        unfinished.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(sent);
        writer.write(action);
    }

    @Override
    public void onProcessingTime(InternalTimer<Object, VoidNamespace> timer) throws Exception {
        PendingRepair due = repairs.value();
        if (due == null || due.dueMillis != timer.getTimestamp()) {
            return;
        }
        repairs.clear();
        repairsPending--;
        Object key = timer.getKey();
        repairing.put(key, due);
        LOG.info(
                "Repairing {} of blob '{}' (repair {} of {})",
                due.action.operation,
                due.action.blobName,
                due.repairs,
                sink.repairSchedule().maxRepairs());
        submit(key, due.action, Sent.REPAIR);
    }

    @Override
    public void onEventTime(InternalTimer<Object, VoidNamespace> timer) {
        // The writer registers processing-time timers only.
    }

    @Override
    public void processWatermark(Watermark mark) {
        // Held back until every action before it is carried out (onAppliedUpTo).
        writer.writeWatermark(mark.getTimestamp());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        writer.flush();
    }

    @Override
    public void endInput() throws Exception {
        // No time is left for repairs: what fails from now on, or waits for a repair, is an error.
        inputEnded = true;
        writer.flush();
        getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        REPAIRS,
                        (key, state) -> {
                            PendingRepair pending = state.value();
                            if (pending != null) {
                                emitFailure(
                                        pending.action,
                                        "not repaired before the end of the input: "
                                                + pending.action.error,
                                        pending.attempts);
                                state.clear();
                            }
                        });
        repairsPending = 0;
        releaseHeldWatermark();
    }

    @Override
    public void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
        super.close();
    }

    @Override
    public void onSuccess(LustreAction action) {
        Object key = keyOf(action);
        PendingRepair repair = finished(key) == Sent.REPAIR ? repairing.remove(key) : null;
        if (action.attempts == 0) {
            action.attempts = 1;
        }
        if (repair != null) {
            action.attempts += repair.attempts;
            repaired.inc();
            LOG.info(
                    "Repaired {} of blob '{}' after {} attempt(s)",
                    action.operation,
                    action.blobName,
                    action.attempts);
        }
        output.collect(new StreamRecord<>(action));
        releaseHeldWatermark();
    }

    @Override
    public void onFailure(LustreAction action, Throwable error, int attempts) {
        Object key = keyOf(action);
        PendingRepair repair = finished(key) == Sent.REPAIR ? repairing.remove(key) : null;
        boolean laterActionOnPath =
                unfinished.getOrDefault(key, new ArrayDeque<>()).stream()
                        .anyMatch(sent -> sent != Sent.REPORT);
        int repairsSoFar = repair == null ? 0 : repair.repairs;
        int attemptsSoFar = attempts + (repair == null ? 0 : repair.attempts);
        if (!(error instanceof ContentSource.TransientSourceException)) {
            emitFailure(action, describe(error), attemptsSoFar);
        } else if (laterActionOnPath) {
            // The later action on this path, already on its way, decides the path.
            emitSuperseded(action, attemptsSoFar);
        } else {
            OptionalLong delay =
                    inputEnded
                            ? OptionalLong.empty()
                            : sink.repairSchedule().delayBeforeRepair(repairsSoFar + 1);
            if (delay.isPresent()) {
                keepForRepair(key, action, describe(error), repairsSoFar + 1, delay, attemptsSoFar);
            } else {
                emitFailure(action, describe(error), attemptsSoFar);
            }
        }
        releaseHeldWatermark();
    }

    private void keepForRepair(
            Object key,
            LustreAction action,
            String error,
            int repair,
            OptionalLong delay,
            int attempts) {
        LustreAction kept = action.copy();
        kept.error = error;
        long due = getProcessingTimeService().getCurrentProcessingTime() + delay.getAsLong();
        Object previousKey = getCurrentKey();
        setCurrentKey(key);
        try {
            repairs.update(new PendingRepair(kept, repair, due, attempts));
            repairTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, due);
        } catch (Exception e) {
            throw new IllegalStateException("cannot keep blob '" + action.blobName + "'", e);
        } finally {
            if (previousKey != null) {
                setCurrentKey(previousKey);
            }
        }
        repairsPending++;
        LOG.warn(
                "{} of blob '{}' failed {} time(s) for a passing reason ({}); repair {} of {} in"
                        + " {} ms",
                action.operation,
                action.blobName,
                attempts,
                error,
                repair,
                sink.repairSchedule().maxRepairs(),
                delay.getAsLong());
    }

    @Override
    public void onAppliedUpTo(long watermarkMillis) {
        if (repairsOutstanding()) {
            heldWatermark = Math.max(heldWatermark, watermarkMillis);
            return;
        }
        output.emitWatermark(new Watermark(watermarkMillis));
    }

    private void releaseHeldWatermark() {
        if (heldWatermark != Long.MIN_VALUE && !repairsOutstanding()) {
            long mark = heldWatermark;
            heldWatermark = Long.MIN_VALUE;
            output.emitWatermark(new Watermark(mark));
        }
    }

    /** Whether any repair waits for its timer or is being carried out. */
    private boolean repairsOutstanding() {
        return repairsPending > 0 || !repairing.isEmpty();
    }

    /** The oldest unfinished action of the key has its outcome: what it was. */
    private Sent finished(Object key) {
        ArrayDeque<Sent> sent = unfinished.get(key);
        if (sent == null || sent.isEmpty()) {
            throw new IllegalStateException("an outcome for key '" + key + "' that was not sent");
        }
        Sent first = sent.removeFirst();
        if (sent.isEmpty()) {
            unfinished.remove(key);
        }
        return first;
    }

    private void emitFailure(LustreAction action, String error, int attempts) {
        LustreAction outcome = action.copy();
        outcome.report = LustreAction.Report.ERROR;
        outcome.error = error;
        outcome.attempts = attempts;
        output.collect(new StreamRecord<>(outcome));
    }

    private void emitSuperseded(LustreAction action, int attempts) {
        LustreAction outcome = action.copy();
        outcome.operation = LustreAction.Operation.NONE;
        outcome.report = LustreAction.Report.IGNORED;
        outcome.error = null;
        outcome.attempts = attempts;
        output.collect(new StreamRecord<>(outcome));
    }

    @SuppressWarnings("unchecked")
    private Object keyOf(LustreAction action) {
        try {
            return ((KeySelector<LustreAction, Object>) getStateKeySelector1()).getKey(action);
        } catch (Exception e) {
            throw new IllegalStateException("cannot key action on '" + action.path + "'", e);
        }
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
