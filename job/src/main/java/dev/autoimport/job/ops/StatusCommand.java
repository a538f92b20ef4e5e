package dev.autoimport.job.ops;

import dev.autoimport.job.SyncMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prints a job's two metric tables of SPEC section 5 (full sync and blob sync), summed over all
 * subtasks, from the Flink REST API: like the metrics pane of the managed service.
 *
 * <pre>
 * java -cp auto-import-job.jar dev.autoimport.job.ops.StatusCommand \
 *     --rest http://jobmanager:8081 [--job ID-OR-NAME] [--json]
 * </pre>
 *
 * Without {@code --job} it shows the one job that is not finished, if there is exactly one. It
 * reads {@code /jobs/overview}, {@code /jobs/<id>}, and for every vertex {@code
 * /jobs/<id>/vertices/<vid>/subtasks/metrics} (names, then {@code ?get=...&agg=sum,max,min}).
 * Counts and rates are sums over subtasks; the last consumed event is the latest over subtasks; the
 * last fully synchronized time is the earliest over subtasks (each knows only its own paths),
 * unknown while any subtask does not know it; {@code changeFeedLagMillis} (how far reading trails
 * the feed) is the largest; {@code lag} is now minus the last fully synchronized time. A metric
 * that no subtask reports prints as "n/a" (null in JSON): Flink serves metrics of running tasks
 * only, so a finished job has none.
 *
 * <p>Exit codes, for scripts: {@value #EXIT_RUNNING} the job is running (or starting, restarting),
 * {@value #EXIT_FINISHED} finished, {@value #EXIT_FAILED} failed or cancelled, {@value
 * #EXIT_NOT_FOUND} no such job (or, without --job, not exactly one unfinished job), {@value
 * #EXIT_USAGE} bad arguments, {@value #EXIT_UNREACHABLE} the REST endpoint cannot be reached or
 * answers unexpectedly.
 */
public final class StatusCommand {

    public static final int EXIT_RUNNING = 0;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_FINISHED = 10;
    public static final int EXIT_FAILED = 11;
    public static final int EXIT_NOT_FOUND = 12;
    public static final int EXIT_UNREACHABLE = 13;

    static final String LAG = "lag";

    /** Registered by the change-feed source: now minus the last event read, 0 when caught up. */
    static final String CHANGE_FEED_LAG = "changeFeedLagMillis";

    private static final List<String> COMMON =
            List.of(
                    SyncMetrics.IMPORTED_FILES,
                    SyncMetrics.IMPORTED_DIRECTORIES,
                    SyncMetrics.IMPORTED_SYMLINKS,
                    SyncMetrics.PREEXISTING_FILES,
                    SyncMetrics.PREEXISTING_DIRECTORIES,
                    SyncMetrics.PREEXISTING_SYMLINKS,
                    SyncMetrics.BLOBS_IMPORTED,
                    SyncMetrics.BLOB_IMPORT_RATE,
                    SyncMetrics.CONFLICTS,
                    SyncMetrics.ERRORS);

    private static final List<String> FULL_SYNC_EXTRA =
            List.of(SyncMetrics.BLOBS_WALKED, SyncMetrics.BLOB_WALK_RATE);

    private static final List<String> BLOB_SYNC_EXTRA =
            List.of(
                    SyncMetrics.DELETIONS,
                    SyncMetrics.LAST_CHANGE_FEED_EVENT_CONSUMED_TIME,
                    SyncMetrics.LAST_FULLY_SYNCHRONIZED_TIME,
                    CHANGE_FEED_LAG);

    private static final Set<String> RATES =
            Set.of(SyncMetrics.BLOB_IMPORT_RATE, SyncMetrics.BLOB_WALK_RATE);

    private static final Set<String> TIMES =
            Set.of(
                    SyncMetrics.LAST_CHANGE_FEED_EVENT_CONSUMED_TIME,
                    SyncMetrics.LAST_FULLY_SYNCHRONIZED_TIME);

    private static final Set<String> RUNNING_STATES =
            Set.of(
                    "INITIALIZING",
                    "CREATED",
                    "RUNNING",
                    "RESTARTING",
                    "FAILING",
                    "CANCELLING",
                    "RECONCILING",
                    "SUSPENDED");

    private StatusCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String rest = System.getenv().getOrDefault("FLINK_REST", "http://localhost:8081");
        String job = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rest":
                case "--job":
                    if (i + 1 >= args.length) {
                        err.println("status: " + args[i] + " needs a value");
                        return EXIT_USAGE;
                    }
                    if (args[i].equals("--rest")) {
                        rest = args[++i];
                    } else {
                        job = args[++i];
                    }
                    break;
                case "--json":
                    json = true;
                    break;
                case "--help":
                case "-h":
                    out.print(help());
                    return 0;
                default:
                    err.println("status: unexpected argument '" + args[i] + "'\n" + help());
                    return EXIT_USAGE;
            }
        }
        FlinkRestClient client;
        try {
            client = new FlinkRestClient(URI.create(rest), Duration.ofSeconds(10));
        } catch (IllegalArgumentException e) {
            err.println("status: --rest '" + rest + "' is not a URL");
            return EXIT_USAGE;
        }
        try {
            return show(client, job, json, out, err);
        } catch (java.net.ConnectException e) {
            err.println("status: cannot reach " + client.base() + " (connection refused)");
            return EXIT_UNREACHABLE;
        } catch (IOException | RuntimeException e) {
            err.println(
                    "status: cannot read "
                            + client.base()
                            + ": "
                            + (e.getMessage() == null
                                    ? e.getClass().getSimpleName()
                                    : e.getMessage()));
            return EXIT_UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_UNREACHABLE;
        }
    }

    static String help() {
        return "Usage: StatusCommand --rest http://jobmanager:8081 [--job ID-OR-NAME] [--json]\n"
                + "Prints a job's full-sync and blob-sync metrics, summed over subtasks.\n"
                + "Exit codes: 0 running, 10 finished, 11 failed or cancelled, 12 no such job,\n"
                + "            2 bad arguments, 13 REST endpoint unreachable.\n";
    }

    private static int show(
            FlinkRestClient client, String wanted, boolean json, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        List<Map<String, Object>> jobs = maps(map(client.get("/jobs/overview")).get("jobs"));
        Map<String, Object> job = select(jobs, wanted);
        if (job == null) {
            err.println(
                    "status: "
                            + (wanted == null
                                    ? "not exactly one unfinished job"
                                    : "no job '" + wanted + "'")
                            + " at "
                            + client.base()
                            + "; jobs there: "
                            + describe(jobs));
            return EXIT_NOT_FOUND;
        }
        String jobId = (String) job.get("jid");
        String state = String.valueOf(job.get("state"));
        Map<String, Map<String, Double>> values = metrics(client, jobId);
        Map<String, Object> fullSync = table(values, SyncMetrics.FULL_SYNC, FULL_SYNC_EXTRA);
        Map<String, Object> blobSync = table(values, SyncMetrics.BLOB_SYNC, BLOB_SYNC_EXTRA);
        Object sync = blobSync.get(SyncMetrics.LAST_FULLY_SYNCHRONIZED_TIME);
        blobSync.put(
                LAG,
                sync == null
                        ? null
                        : Math.max(0, System.currentTimeMillis() - ((Number) sync).longValue())
                                / 1000.0);
        int code = exitCode(state);
        if (json) {
            out.println(toJson(job, code, fullSync, blobSync));
        } else {
            out.print(toText(job, fullSync, blobSync));
        }
        return code;
    }

    static int exitCode(String state) {
        if (state.equals("FINISHED")) {
            return EXIT_FINISHED;
        }
        if (state.equals("FAILED") || state.equals("CANCELED")) {
            return EXIT_FAILED;
        }
        return RUNNING_STATES.contains(state) ? EXIT_RUNNING : EXIT_FAILED;
    }

    /**
     * By id, else by name (an unfinished one first, then the latest); without a name, the one
     * unfinished job.
     */
    private static Map<String, Object> select(List<Map<String, Object>> jobs, String wanted) {
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (Map<String, Object> j : jobs) {
            if (wanted == null
                    ? RUNNING_STATES.contains(String.valueOf(j.get("state")))
                    : wanted.equals(j.get("jid")) || wanted.equals(j.get("name"))) {
                candidates.add(j);
            }
        }
        if (wanted == null) {
            return candidates.size() == 1 ? candidates.get(0) : null;
        }
        return candidates.stream()
                .max(
                        Comparator.<Map<String, Object>>comparingInt(
                                        j ->
                                                RUNNING_STATES.contains(
                                                                String.valueOf(j.get("state")))
                                                        ? 1
                                                        : 0)
                                .thenComparingLong(j -> number(j.get("start-time"))))
                .orElse(null);
    }

    /** Every metric of every vertex whose name ends with "fullSync.x" or "blobSync.x": sum, max. */
    private static Map<String, Map<String, Double>> metrics(FlinkRestClient client, String jobId)
            throws IOException, InterruptedException {
        Map<String, Map<String, Double>> found = new LinkedHashMap<>();
        List<Map<String, Object>> vertices =
                maps(map(client.get("/jobs/" + jobId)).get("vertices"));
        for (Map<String, Object> vertex : vertices) {
            String base = "/jobs/" + jobId + "/vertices/" + vertex.get("id") + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (Map<String, Object> m : maps(client.get(base))) {
                String id = String.valueOf(m.get("id"));
                if (phaseAndName(id) != null) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            StringBuilder query = new StringBuilder();
            for (String id : ids) {
                query.append(query.length() == 0 ? "" : ",")
                        .append(URLEncoder.encode(id, StandardCharsets.UTF_8));
            }
            for (Map<String, Object> m :
                    maps(client.get(base + "?get=" + query + "&agg=sum,max,min"))) {
                String key = phaseAndName(String.valueOf(m.get("id")));
                Map<String, Double> agg = found.computeIfAbsent(key, k -> new LinkedHashMap<>());
                agg.merge("sum", toDouble(m.get("sum")), Double::sum);
                agg.merge("max", toDouble(m.get("max")), Math::max);
                agg.merge("min", toDouble(m.get("min")), Math::min);
            }
        }
        return found;
    }

    /** "fullSync.importedFiles" for "Sink__lustre.fullSync.importedFiles", else null. */
    static String phaseAndName(String metricId) {
        for (String phase : List.of(SyncMetrics.FULL_SYNC, SyncMetrics.BLOB_SYNC)) {
            int at = metricId.lastIndexOf(phase + ".");
            if (at >= 0 && (at == 0 || metricId.charAt(at - 1) == '.')) {
                String name = metricId.substring(at + phase.length() + 1);
                if (!name.contains(".")) {
                    return phase + "." + name;
                }
            }
        }
        return null;
    }

    private static Map<String, Object> table(
            Map<String, Map<String, Double>> values, String phase, List<String> extra) {
        Map<String, Object> t = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        if (phase.equals(SyncMetrics.FULL_SYNC)) {
            names.addAll(extra);
            names.addAll(COMMON);
        } else {
            names.addAll(COMMON);
            names.addAll(extra);
        }
        for (String name : names) {
            Map<String, Double> agg = values.get(phase + "." + name);
            Object v = null;
            if (agg != null) {
                if (name.equals(SyncMetrics.LAST_FULLY_SYNCHRONIZED_TIME)) {
                    // Every subtask has applied everything up to its time: the job, up to the
                    // earliest. A subtask that does not know yet (0) makes it unknown.
                    double min = agg.getOrDefault("min", 0.0);
                    v = min > 0 ? (Object) (long) min : null;
                } else if (TIMES.contains(name)) {
                    double max = agg.getOrDefault("max", 0.0);
                    v = max > 0 ? (Object) (long) max : null;
                } else if (name.equals(CHANGE_FEED_LAG)) {
                    v = agg.getOrDefault("max", 0.0) / 1000.0;
                } else if (RATES.contains(name)) {
                    v = agg.getOrDefault("sum", 0.0);
                } else {
                    v = Math.round(agg.getOrDefault("sum", 0.0));
                }
            }
            t.put(name, v);
        }
        return t;
    }

    private static String toText(
            Map<String, Object> job, Map<String, Object> fullSync, Map<String, Object> blobSync) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Job '%s' (%s): %s, started %s, %s%n",
                        job.get("name"),
                        job.get("jid"),
                        job.get("state"),
                        Instant.ofEpochMilli(number(job.get("start-time"))),
                        duration(number(job.get("duration")))));
        appendTable(sb, "Full sync", fullSync);
        appendTable(sb, "Blob sync", blobSync);
        if (!RUNNING_STATES.contains(String.valueOf(job.get("state")))) {
            sb.append(
                    "(Flink serves the metrics of running tasks only. The walk's table of a finished"
                            + " import job is in the logging container, under"
                            + " reports/<job>/<job id>/.)\n");
        }
        return sb.toString();
    }

    private static void appendTable(StringBuilder sb, String title, Map<String, Object> table) {
        sb.append(title).append('\n');
        for (Map.Entry<String, Object> e : table.entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            String shown;
            if (v == null) {
                shown = "n/a";
            } else if (TIMES.contains(name)) {
                shown = Instant.ofEpochMilli((Long) v).toString();
            } else if (name.equals(LAG) || name.equals(CHANGE_FEED_LAG)) {
                shown = duration((long) ((Double) v * 1000));
            } else if (RATES.contains(name)) {
                shown = String.format(Locale.ROOT, "%,.1f /s", (Double) v);
            } else {
                shown = String.format(Locale.ROOT, "%,d", (Long) v);
            }
            String label = name.equals(CHANGE_FEED_LAG) ? "changeFeedLag" : name;
            sb.append(String.format(Locale.ROOT, "  %-32s %s%n", label, shown));
        }
    }

    private static String toJson(
            Map<String, Object> job,
            int exitCode,
            Map<String, Object> fullSync,
            Map<String, Object> blobSync) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", String.valueOf(job.get("jid")));
        j.put("name", String.valueOf(job.get("name")));
        j.put("state", String.valueOf(job.get("state")));
        j.put("startTime", Instant.ofEpochMilli(number(job.get("start-time"))).toString());
        j.put("durationMs", number(job.get("duration")));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("job", j);
        status.put("exitCode", exitCode);
        status.put(SyncMetrics.FULL_SYNC, jsonTable(fullSync));
        status.put(SyncMetrics.BLOB_SYNC, jsonTable(blobSync));
        return Json.write(status);
    }

    /** A table for JSON: times as ISO-8601 text, lags in seconds, unknown values as null. */
    private static Map<String, Object> jsonTable(Map<String, Object> table) {
        Map<String, Object> t = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : table.entrySet()) {
            Object v = e.getValue();
            String field =
                    e.getKey().equals(LAG)
                            ? "lagSeconds"
                            : e.getKey().equals(CHANGE_FEED_LAG)
                                    ? "changeFeedLagSeconds"
                                    : e.getKey();
            t.put(
                    field,
                    v != null && TIMES.contains(e.getKey())
                            ? Instant.ofEpochMilli((Long) v).toString()
                            : v);
        }
        return t;
    }

    private static String describe(List<Map<String, Object>> jobs) {
        if (jobs.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> j : jobs) {
            sb.append(sb.length() == 0 ? "" : "; ")
                    .append(j.get("jid"))
                    .append(" '")
                    .append(j.get("name"))
                    .append("' ")
                    .append(j.get("state"));
        }
        return sb.toString();
    }

    private static String duration(long ms) {
        long s = Math.max(0, ms) / 1000;
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60) : s + "s";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) throws IOException {
        if (!(o instanceof Map)) {
            throw new IOException("expected a JSON object, got " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object o) throws IOException {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List)) {
            throw new IOException("expected a JSON array, got " + o);
        }
        return (List<Map<String, Object>>) o;
    }

    private static long number(Object o) {
        return o instanceof Number ? ((Number) o).longValue() : 0;
    }

    private static double toDouble(Object o) {
        if (o instanceof Number) {
            return ((Number) o).doubleValue();
        }
        try {
            return o == null ? 0 : Double.parseDouble(o.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
