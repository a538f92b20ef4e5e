package dev.autoimport.connector.lustre;

/**
 * Names of the metrics the sink itself registers, in the writer's metric group. Outcome counters
 * are the job's, through its {@link ActionListener}.
 */
public final class LustreSinkMetrics {

    /** Gauge: actions accepted by a writer and not finished yet, waiting ones included. */
    public static final String ACTIONS_IN_FLIGHT = "actionsInFlight";

    /**
     * Gauge: actions kept for a later repair after a passing fault of the content source; while any
     * is kept, the subtask's watermark (its fully-synchronized time) does not advance.
     */
    public static final String REPAIRS_PENDING = "repairsPending";

    /** Counter: actions carried out by a repair, after their first tries had failed. */
    public static final String ACTIONS_REPAIRED = "actionsRepaired";

    private LustreSinkMetrics() {}
}
