package dev.autoimport.job.ops;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.autoimport.job.SyncMetrics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The walk's table (SPEC section 5, full sync) of one sink subtask, or summed over all of them.
 *
 * <p>A part counts the blobs of the walk that reached its subtask, so {@code blobsWalked} here is
 * what the sink heard about (equal to the listing's count once the walk is done). Counts restart
 * with the task after a failover, like Flink's metrics. {@code complete} is true once the subtask's
 * input ended (the import job); the auto-import job never ends its input, so its parts stay
 * incomplete and are rewritten periodically.
 */
@JsonPropertyOrder({
    "jobName",
    "jobId",
    "subtask",
    "parallelism",
    "parts",
    "complete",
    "started",
    "updated",
    "counts",
    "rates"
})
@JsonIgnoreProperties(value = "rates", allowGetters = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class WalkReport {

    /** The table's rows, in the order of SPEC section 5. */
    public static final List<String> COUNTS =
            List.of(
                    SyncMetrics.BLOBS_WALKED,
                    SyncMetrics.IMPORTED_FILES,
                    SyncMetrics.IMPORTED_DIRECTORIES,
                    SyncMetrics.IMPORTED_SYMLINKS,
                    SyncMetrics.PREEXISTING_FILES,
                    SyncMetrics.PREEXISTING_DIRECTORIES,
                    SyncMetrics.PREEXISTING_SYMLINKS,
                    SyncMetrics.BLOBS_IMPORTED,
                    SyncMetrics.CONFLICTS,
                    SyncMetrics.ERRORS);

    public final String jobName;
    public final String jobId;

    /** The subtask, or -1 for a sum. */
    public final int subtask;

    /** Sink subtasks of the job; a sum with fewer parts is missing some. */
    public final int parallelism;

    /** How many parts a sum holds (1 for a part). */
    public final int parts;

    public final boolean complete;
    public final Instant started;
    public final Instant updated;
    public final Map<String, Long> counts;

    public WalkReport(
            String jobName,
            String jobId,
            int subtask,
            int parallelism,
            int parts,
            boolean complete,
            Instant started,
            Instant updated,
            Map<String, Long> counts) {
        this.jobName = jobName;
        this.jobId = jobId;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.parts = parts;
        this.complete = complete;
        this.started = started;
        this.updated = updated;
        Map<String, Long> c = new LinkedHashMap<>();
        for (String name : COUNTS) {
            c.put(name, counts.getOrDefault(name, 0L));
        }
        this.counts = c;
    }

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    /** Blobs per second of a count over the time from start to the last update. */
    public double rate(String name) {
        double seconds = Duration.between(started, updated).toMillis() / 1000.0;
        return seconds <= 0 ? 0 : count(name) / seconds;
    }

    /** The sum of parts of one job run. */
    public static WalkReport sum(List<WalkReport> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no parts");
        }
        WalkReport first = parts.get(0);
        Map<String, Long> total = new LinkedHashMap<>();
        Instant started = first.started;
        Instant updated = first.updated;
        boolean complete = true;
        int parallelism = 0;
        for (WalkReport p : parts) {
            p.counts.forEach((k, v) -> total.merge(k, v, Long::sum));
            started = p.started.isBefore(started) ? p.started : started;
            updated = p.updated.isAfter(updated) ? p.updated : updated;
            complete &= p.complete;
            parallelism = Math.max(parallelism, p.parallelism);
        }
        complete &= parts.size() >= parallelism;
        return new WalkReport(
                first.jobName,
                first.jobId,
                -1,
                parallelism,
                parts.size(),
                complete,
                started,
                updated,
                total);
    }

    /** The table as text: one row per count, rates for walked and imported blobs. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Full sync of job '%s' (%s): %s, %d of %d subtask report(s), %s to %s%n",
                        jobName,
                        jobId,
                        complete ? "walk complete" : "walk NOT complete",
                        parts,
                        parallelism,
                        started,
                        updated));
        for (String name : COUNTS) {
            sb.append(String.format(Locale.ROOT, "  %-24s %,14d%n", name, count(name)));
            if (name.equals(SyncMetrics.BLOBS_WALKED)) {
                sb.append(rateRow(SyncMetrics.BLOB_WALK_RATE, rate(name)));
            } else if (name.equals(SyncMetrics.BLOBS_IMPORTED)) {
                sb.append(rateRow(SyncMetrics.BLOB_IMPORT_RATE, rate(name)));
            }
        }
        return sb.toString();
    }

    private static String rateRow(String name, double rate) {
        return String.format(Locale.ROOT, "  %-24s %,14.1f /s%n", name, rate);
    }

    /** The rates of {@link #format()}, for the JSON form (not read back: they are derived). */
    @JsonProperty("rates")
    public Map<String, Double> getRates() {
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put(SyncMetrics.BLOB_WALK_RATE, rate(SyncMetrics.BLOBS_WALKED));
        rates.put(SyncMetrics.BLOB_IMPORT_RATE, rate(SyncMetrics.BLOBS_IMPORTED));
        return rates;
    }

    /** The report as one line of JSON (what a part blob in the logging container holds). */
    public String toJson() {
        return Json.write(this);
    }

    public static WalkReport fromJson(String json) throws IOException {
        return Json.MAPPER.readValue(json, WalkReport.class);
    }

    /** Jackson's way in: a field a writer left out takes the value a part without it means. */
    @JsonCreator
    static WalkReport of(
            @JsonProperty("jobName") String jobName,
            @JsonProperty("jobId") String jobId,
            @JsonProperty("subtask") Integer subtask,
            @JsonProperty("parallelism") Integer parallelism,
            @JsonProperty("parts") Integer parts,
            @JsonProperty("complete") Boolean complete,
            @JsonProperty("started") Instant started,
            @JsonProperty("updated") Instant updated,
            @JsonProperty("counts") Map<String, Long> counts) {
        return new WalkReport(
                jobName,
                jobId,
                subtask == null ? -1 : subtask,
                parallelism == null ? 0 : parallelism,
                parts == null ? 1 : parts,
                complete != null && complete,
                started == null ? Instant.EPOCH : started,
                updated == null ? Instant.EPOCH : updated,
                counts == null ? Map.of() : counts);
    }
}
