package dev.autoimport.connector.lustre;

/**
 * Hears how each {@link LustreAction} ended. Called on the task's mailbox thread, one call at a
 * time, in the order the outcomes arrive (per path, the order the actions were written), so an
 * implementation needs no locks.
 */
public interface ActionListener {

    /**
     * The action was carried out (or, for NONE, reached the sink). For SYNC and REMOVE this is the
     * action as carried out: one of the concrete operations, with the report of what the sink
     * found.
     */
    void onSuccess(LustreAction action);

    /**
     * The action failed for this one blob; the job goes on.
     *
     * @param attempts how many times it was tried
     */
    void onFailure(LustreAction action, Throwable error, int attempts);

    /**
     * Every action that reached the sink before a watermark of this time has been carried out or
     * reported (and heard here). Called in increasing order of watermarks.
     */
    default void onAppliedUpTo(long watermarkMillis) {}
}
