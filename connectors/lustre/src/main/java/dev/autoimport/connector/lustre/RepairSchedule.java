package dev.autoimport.connector.lustre;

import java.io.Serializable;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * When an action whose blob the service failed to serve for a passing reason is tried again.
 *
 * <p>First a few tries in place, seconds apart, on the action's I/O thread: most faults pass that
 * quickly, and the path's later actions wait behind it anyway. Then, if the writer's input is
 * keyed, the action is kept in keyed state (so it survives a failover) and repaired later: {@link
 * #delayBeforeRepair} doubles from {@link #firstRepairDelay} to {@link #maxRepairDelay}, for at
 * most {@link #maxRepairs} repairs, and only then counts as an error. The in-place tries stay short
 * because the writer finishes every action before each checkpoint barrier: a long wait there would
 * hold every checkpoint back.
 *
 * <p>Without repairs ({@link #inPlaceOnly}) the in-place tries last about a minute in all.
 */
public final class RepairSchedule implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The in-place back-off when repairs follow: 3.5 s in all. */
    static final long[] SHORT_IN_PLACE_MILLIS = {500, 1_000, 2_000};

    /** The in-place back-off when nothing follows: about a minute in all. */
    static final long[] LONG_IN_PLACE_MILLIS = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000};

    public static final Duration DEFAULT_FIRST_REPAIR_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_REPAIR_DELAY = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_REPAIRS = 10;

    private final long firstRepairMillis;
    private final long maxRepairMillis;
    private final int maxRepairs;

    private RepairSchedule(long firstRepairMillis, long maxRepairMillis, int maxRepairs) {
        this.firstRepairMillis = firstRepairMillis;
        this.maxRepairMillis = maxRepairMillis;
        this.maxRepairs = maxRepairs;
    }

    /**
     * Repairs after the in-place tries.
     *
     * @throws IllegalArgumentException naming the bound that is wrong
     */
    public static RepairSchedule repairing(Duration firstDelay, Duration maxDelay, int maxRepairs) {
        if (firstDelay == null || firstDelay.isNegative() || firstDelay.isZero()) {
            throw new IllegalArgumentException(
                    "the first repair delay must be positive, got " + firstDelay);
        }
        if (maxDelay == null || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException(
                    "the longest repair delay ("
                            + maxDelay
                            + ") must not be shorter than the first ("
                            + firstDelay
                            + ")");
        }
        if (maxRepairs < 1) {
            throw new IllegalArgumentException(
                    "the number of repairs must be at least 1, got " + maxRepairs);
        }
        return new RepairSchedule(firstDelay.toMillis(), maxDelay.toMillis(), maxRepairs);
    }

    /** The defaults: 30 s doubling to 10 min, 10 repairs (65.5 min in all). */
    public static RepairSchedule defaults() {
        return repairing(DEFAULT_FIRST_REPAIR_DELAY, DEFAULT_MAX_REPAIR_DELAY, DEFAULT_MAX_REPAIRS);
    }

    /** No repairs: the in-place tries only, then the action counts as an error. */
    public static RepairSchedule inPlaceOnly() {
        return new RepairSchedule(0, 0, 0);
    }

    public boolean repairs() {
        return maxRepairs > 0;
    }

    public Duration firstRepairDelay() {
        return Duration.ofMillis(firstRepairMillis);
    }

    public Duration maxRepairDelay() {
        return Duration.ofMillis(maxRepairMillis);
    }

    public int maxRepairs() {
        return maxRepairs;
    }

    /** The waits between the in-place tries of one action (one fewer than its tries). */
    long[] inPlaceBackOffMillis() {
        return repairs() ? SHORT_IN_PLACE_MILLIS : LONG_IN_PLACE_MILLIS;
    }

    /**
     * The wait before repair number {@code repair} (1 for the first), or empty once the repairs are
     * used up.
     */
    public OptionalLong delayBeforeRepair(int repair) {
        if (repair < 1 || repair > maxRepairs) {
            return OptionalLong.empty();
        }
        int doublings = Math.min(repair - 1, 30);
        long millis = firstRepairMillis << doublings;
        return OptionalLong.of(millis <= 0 || millis > maxRepairMillis ? maxRepairMillis : millis);
    }

    /** The time from the first repair's schedule to the last repair, for messages and docs. */
    public Duration longestWait() {
        long total = 0;
        for (int r = 1; r <= maxRepairs; r++) {
            total += delayBeforeRepair(r).orElse(0);
        }
        return Duration.ofMillis(total);
    }

    @Override
    public String toString() {
        return repairs()
                ? "repairs after "
                        + firstRepairDelay()
                        + " doubling to "
                        + maxRepairDelay()
                        + ", at most "
                        + maxRepairs
                : "no repairs";
    }
}
