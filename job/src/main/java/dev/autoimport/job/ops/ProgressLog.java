package dev.autoimport.job.ops;

import dev.autoimport.job.SyncMetrics;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per phase and sink subtask whenever its counts changed since the last line, with
 * rates since that line. Called every few seconds by {@link SubtaskOperations}, so a subtask logs
 * at most one line per phase per interval, and nothing while idle.
 */
public final class ProgressLog {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

    private final int subtask;
    private final int parallelism;
    private final Map<String, Map<String, Long>> lastCounts = new HashMap<>();
    private final Map<String, Long> lastNanos = new HashMap<>();

    public ProgressLog(int subtask, int parallelism) {
        this.subtask = subtask;
        this.parallelism = parallelism;
    }

    /**
     * Logs the phase's progress if its counts changed.
     *
     * @return the line logged, or null
     */
    public String log(String phase, Map<String, Long> counts, long nowNanos) {
        Map<String, Long> last = lastCounts.get(phase);
        if (last == null && counts.values().stream().allMatch(v -> v == 0)) {
            return null;
        }
        if (counts.equals(last)) {
            return null;
        }
        double seconds = last == null ? 0 : (nowNanos - lastNanos.get(phase)) / 1_000_000_000.0;
        String line = format(phase, counts, last == null ? Map.of() : last, seconds);
        lastCounts.put(phase, Map.copyOf(counts));
        lastNanos.put(phase, nowNanos);
        LOG.info(line);
        return line;
    }

    String format(String phase, Map<String, Long> now, Map<String, Long> before, double seconds) {
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%s progress, sink subtask %d/%d:",
                                SyncMetrics.FULL_SYNC.equals(phase) ? "Full sync" : "Blob sync",
                                subtask + 1,
                                parallelism));
        if (SyncMetrics.FULL_SYNC.equals(phase)) {
            sb.append(countAndRate(" blobs walked", SyncMetrics.BLOBS_WALKED, now, before, seconds))
                    .append(',');
        }
        sb.append(countAndRate(" imported", SyncMetrics.BLOBS_IMPORTED, now, before, seconds));
        long preexisting =
                get(now, SyncMetrics.PREEXISTING_FILES)
                        + get(now, SyncMetrics.PREEXISTING_DIRECTORIES)
                        + get(now, SyncMetrics.PREEXISTING_SYMLINKS);
        sb.append(String.format(Locale.ROOT, ", %,d pre-existing", preexisting));
        if (SyncMetrics.BLOB_SYNC.equals(phase)) {
            sb.append(
                    String.format(Locale.ROOT, ", %,d deletions", get(now, SyncMetrics.DELETIONS)));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        ", %,d conflicts, %,d errors",
                        get(now, SyncMetrics.CONFLICTS),
                        get(now, SyncMetrics.ERRORS)));
        return sb.toString();
    }

    private static String countAndRate(
            String label,
            String name,
            Map<String, Long> now,
            Map<String, Long> before,
            double seconds) {
        long count = get(now, name);
        if (seconds <= 0) {
            return String.format(Locale.ROOT, " %,d%s", count, label);
        }
        double rate = (count - get(before, name)) / seconds;
        return String.format(Locale.ROOT, " %,d%s (%,.1f/s)", count, label, rate);
    }

    private static long get(Map<String, Long> m, String name) {
        return m.getOrDefault(name, 0L);
    }
}
