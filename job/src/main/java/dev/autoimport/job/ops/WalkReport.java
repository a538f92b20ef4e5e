package dev.autoimport.job.ops;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import com.azure.json.JsonWriter;
import dev.autoimport.job.SyncMetrics;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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

    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonWriter w = JsonProviders.createWriter(text)) {
            w.writeStartObject()
                    .writeStringField("jobName", jobName)
                    .writeStringField("jobId", jobId)
                    .writeIntField("subtask", subtask)
                    .writeIntField("parallelism", parallelism)
                    .writeIntField("parts", parts)
                    .writeBooleanField("complete", complete)
                    .writeStringField("started", started.toString())
                    .writeStringField("updated", updated.toString())
                    .writeStartObject("counts");
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                w.writeLongField(e.getKey(), e.getValue());
            }
            w.writeEndObject();
            w.writeStartObject("rates")
                    .writeDoubleField(SyncMetrics.BLOB_WALK_RATE, rate(SyncMetrics.BLOBS_WALKED))
                    .writeDoubleField(
                            SyncMetrics.BLOB_IMPORT_RATE, rate(SyncMetrics.BLOBS_IMPORTED))
                    .writeEndObject();
            w.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    public static WalkReport fromJson(String json) throws IOException {
        try (JsonReader r = JsonProviders.createReader(json)) {
            return r.readObject(
                    o -> {
                        String jobName = null;
                        String jobId = null;
                        int subtask = -1;
                        int parallelism = 0;
                        int parts = 1;
                        boolean complete = false;
                        Instant started = Instant.EPOCH;
                        Instant updated = Instant.EPOCH;
                        Map<String, Long> counts = new LinkedHashMap<>();
                        while (o.nextToken() != JsonToken.END_OBJECT) {
                            String field = o.getFieldName();
                            o.nextToken();
                            switch (field) {
                                case "jobName":
                                    jobName = o.getString();
                                    break;
                                case "jobId":
                                    jobId = o.getString();
                                    break;
                                case "subtask":
                                    subtask = o.getInt();
                                    break;
                                case "parallelism":
                                    parallelism = o.getInt();
                                    break;
                                case "parts":
                                    parts = o.getInt();
                                    break;
                                case "complete":
                                    complete = o.getBoolean();
                                    break;
                                case "started":
                                    started = Instant.parse(o.getString());
                                    break;
                                case "updated":
                                    updated = Instant.parse(o.getString());
                                    break;
                                case "counts":
                                    while (o.nextToken() != JsonToken.END_OBJECT) {
                                        String name = o.getFieldName();
                                        o.nextToken();
                                        counts.put(name, o.getLong());
                                    }
                                    break;
                                default:
                                    o.skipChildren();
                            }
                        }
                        return new WalkReport(
                                jobName,
                                jobId,
                                subtask,
                                parallelism,
                                parts,
                                complete,
                                started,
                                updated,
                                counts);
                    });
        }
    }
}
