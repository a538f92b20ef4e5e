package dev.autoimport.connector.lustre;

import java.io.Serializable;
import org.apache.flink.metrics.MetricGroup;

/**
 * Hears how each {@link LustreAction} ended, so that the job counts outcomes and logs errors in one
 * place. Called from the sink's I/O threads: implementations must be thread-safe.
 */
public interface ActionListener {

    /** The action was carried out (or, for NONE, reached the sink). */
    void onSuccess(LustreAction action);

    /**
     * The action failed for this one blob; the job goes on.
     *
     * @param attempts how many times it was tried
     */
    void onFailure(LustreAction action, Throwable error, int attempts);

    /**
     * Every action that reached the sink before a watermark of this time has been carried out or
     * reported. Called in increasing order of watermarks; from any thread.
     */
    default void onAppliedUpTo(long watermarkMillis) {}

    /**
     * Every action written so far has been reported: called on the task thread when the sink
     * flushes, before each checkpoint barrier passes it and at the end of input. A runtime
     * exception thrown here fails the job.
     *
     * @param endOfInput whether no action follows (a bounded job's input has ended)
     */
    default void onFlush(boolean endOfInput) {}

    /** The sink subtask closes (finished, cancelled, stopped or failed); called once. */
    default void close() {}

    /** Creates one listener per sink subtask, on the task manager. */
    interface Factory extends Serializable {
        ActionListener create(MetricGroup metricGroup, int subtaskIndex);

        /** As {@link #create(MetricGroup, int)}, for factories that need the parallelism. */
        default ActionListener create(MetricGroup metricGroup, int subtaskIndex, int parallelism) {
            return create(metricGroup, subtaskIndex);
        }
    }
}
