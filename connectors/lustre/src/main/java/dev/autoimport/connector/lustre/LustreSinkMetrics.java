package dev.autoimport.connector.lustre;

/**
 * Names of the metrics the sink itself registers, in the writer's metric group. Outcome counters
 * are the job's, through its {@link ActionListener}.
 */
public final class LustreSinkMetrics {

    /** Gauge: actions accepted by a writer and not finished yet, waiting ones included. */
    public static final String ACTIONS_IN_FLIGHT = "actionsInFlight";

    private LustreSinkMetrics() {}
}
