package dev.autoimport.connector.lustre;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

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
 */
final class LustreWriterOperator extends AbstractStreamOperator<LustreAction>
        implements OneInputStreamOperator<LustreAction, LustreAction>,
                BoundedOneInput,
                ActionListener {

    private static final long serialVersionUID = 1L;

    private final LustreSink sink;
    private final transient MailboxExecutor mailbox;
    private transient LustreSinkWriter writer;

    LustreWriterOperator(StreamOperatorParameters<LustreAction> parameters, LustreSink sink) {
        super(parameters);
        this.sink = sink;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void open() throws Exception {
        super.open();
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
        writer.write(element.getValue());
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
        writer.flush();
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
        if (action.attempts == 0) {
            action.attempts = 1;
        }
        output.collect(new StreamRecord<>(action));
    }

    @Override
    public void onFailure(LustreAction action, Throwable error, int attempts) {
        LustreAction outcome = action.copy();
        outcome.report = LustreAction.Report.ERROR;
        outcome.error = describe(error);
        outcome.attempts = attempts;
        output.collect(new StreamRecord<>(outcome));
    }

    @Override
    public void onAppliedUpTo(long watermarkMillis) {
        output.emitWatermark(new Watermark(watermarkMillis));
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
