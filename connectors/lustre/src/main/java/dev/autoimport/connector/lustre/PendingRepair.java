package dev.autoimport.connector.lustre;

/**
 * An action kept in the writer's keyed state until its repair is due: what to carry out, how many
 * repairs it had, when the next is due, and how many tries it had in all.
 *
 * <p>A POJO for Flink's serializer, which lets fields be added in later versions.
 */
public final class PendingRepair {

    public LustreAction action;

    /** Repairs scheduled so far, this one included (1 for the first). */
    public int repairs;

    /** When this repair is due (processing time, epoch milliseconds). */
    public long dueMillis;

    /** Tries of the action so far, in place and in earlier repairs. */
    public int attempts;

    public PendingRepair() {}

    PendingRepair(LustreAction action, int repairs, long dueMillis, int attempts) {
        this.action = action;
        this.repairs = repairs;
        this.dueMillis = dueMillis;
        this.attempts = attempts;
    }
}
