package dev.autoimport.job.bench;

import dev.autoimport.connector.blob.testing.BlobServiceProxy;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.RequestKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The latency section (issue 10): the same syncs at several fixed delays added to every response of
 * the blob service by a {@link BlobServiceProxy} in the benchmark's JVM, all through that proxy (at
 * +0 ms too: a proxied run is compared with proxied runs only). What is run is {@link Benchmark}'s
 * (full syncs: {@link ImportRunner}, {@link RcloneRunner}) and {@link BlobSyncLoad}'s (backlogs);
 * this class holds the plan, the rows and their report.
 */
final class LatencySweep {

    static final String FULL_SYNC = "full sync";
    static final String NO_DOWNLOAD_BACKLOG = "no-download backlog";
    static final String DOWNLOAD_BACKLOG = "download backlog";
    static final String AUTO_IMPORT = "auto-import job";

    /**
     * What one sweep does: a full sync of {@code blobs} small blobs (import job and rclone), and,
     * past the auto-import job's walk, a backlog of {@code backlogEvents} no-download events and
     * one of {@code downloadEvents} downloads, at each delay.
     */
    record Plan(int blobs, int backlogEvents, int downloadEvents, List<Integer> delaysMillis) {

        static Plan full() {
            return new Plan(10_000, 100_000, 2_000, List.of(0, 10, 30));
        }

        static Plan quick() {
            return new Plan(2_000, 20_000, 300, List.of(0, 10, 30));
        }

        int maxDelay() {
            return delaysMillis.stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /**
     * One measurement at one delay. {@code clientCpuSeconds} is the syncing process's CPU without
     * the proxy's (rclone's own; the JVM's minus the proxy threads'). {@code freshness} is observed
     * on a sample of paths, and {@code secondsFromFirst} is the time from the first event applied
     * to the last, past the wait for the job's next poll of the feed (backlogs only; else NaN).
     */
    record Row(
            String measure,
            String tool,
            int delayMillis,
            long files,
            double seconds,
            double secondsFromFirst,
            BlobServiceProxy.Counts requests,
            double clientCpuSeconds,
            double proxyCpuSeconds,
            double azuriteCpuSeconds,
            BlobSyncLoad.Latency freshness) {

        double filesPerSecond() {
            return files / seconds;
        }

        double requestsPerFile() {
            return requests.total() / (double) files;
        }

        /**
         * Two measurements of the same kind and delay as one: their files, times and costs added.
         */
        Row plus(Row other) {
            return new Row(
                    measure,
                    tool,
                    delayMillis,
                    files + other.files,
                    seconds + other.seconds,
                    secondsFromFirst + other.secondsFromFirst,
                    requests.plus(other.requests),
                    clientCpuSeconds + other.clientCpuSeconds,
                    proxyCpuSeconds + other.proxyCpuSeconds,
                    azuriteCpuSeconds + other.azuriteCpuSeconds,
                    BlobSyncLoad.Latency.NONE);
        }

        /**
         * Downloads and properties requests per file: what a changed file costs beyond the feed.
         */
        double blobRequestsPerFile() {
            return (requests.get(RequestKind.DOWNLOAD) + requests.get(RequestKind.PROPERTIES))
                    / (double) files;
        }
    }

    /**
     * The delays in the order given, then reversed ({@code 0, 10, 30, 30, 10, 0}): with the two
     * passes of a delay added up ({@link #addUp}), a drift over the run (the JIT still compiling, a
     * machine growing busier or quieter) weighs on every delay alike.
     */
    static List<Integer> thereAndBack(List<Integer> delays) {
        List<Integer> order = new ArrayList<>(delays);
        List<Integer> back = new ArrayList<>(delays);
        Collections.reverse(back);
        order.addAll(back);
        return order;
    }

    /** Rows of the same measure, tool and delay added up into one, in first-seen order. */
    static List<Row> addUp(List<Row> rows) {
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row r : rows) {
            byKey.merge(r.measure() + "|" + r.tool() + "|" + r.delayMillis(), r, Row::plus);
        }
        return new ArrayList<>(byKey.values());
    }

    /** A sweep's rows, the state size seen by its auto-import job, and its checks. */
    record Result(Plan plan, List<Row> rows, int paths, OptionalLong checkpointBytes) {

        Optional<Row> find(String measure, String tool, int delay) {
            return rows.stream()
                    .filter(
                            r ->
                                    r.measure().equals(measure)
                                            && r.tool().equals(tool)
                                            && r.delayMillis() == delay)
                    .findFirst();
        }

        String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "Every request of the syncing client goes through an HTTP/1.1 proxy in"
                                    + " the benchmark's JVM (`BlobServiceProxy`, Netty, 2 event-loop"
                                    + " threads, keep-alive on both sides) that writes each response"
                                    + " a fixed delay after Azurite answered; at +0 ms too, so rows"
                                    + " compare with each other and not with the direct runs above."
                                    + " Full sync: %,d small blobs, from scratch, by the import job"
                                    + " and by `rclone sync` with the same flags as above, twice per"
                                    + " delay (the delays in order, then in reverse; both passes"
                                    + " added up). Backlogs:"
                                    + " the auto-import job past its walk of %,d pre-existing paths;"
                                    + " %,d no-download events (1 in %d a deletion, the others"
                                    + " replays) and %,d `BlobCreated` events of new versions,"
                                    + " each backlog made readable at one instant (the feed is"
                                    + " written to Azurite directly, not through the proxy).%n%n",
                            plan.blobs(),
                            paths,
                            plan.backlogEvents(),
                            BlobSyncLoad.DELETION_EVERY,
                            plan.downloadEvents()));
            sb.append(
                    "| measure | tool | delay | files | seconds | files/s | vs +0 ms |"
                            + " requests / file | requests by kind / file |"
                            + " client CPU ms / file | proxy CPU ms / request |"
                            + " Azurite CPU ms / file | freshness observed p50 / p99 (s) (samples)"
                            + " |\n");
            sb.append(
                    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
                            + " ---: | ---: |\n");
            List<String> order = List.of(FULL_SYNC, NO_DOWNLOAD_BACKLOG, DOWNLOAD_BACKLOG);
            List<Row> sorted = new ArrayList<>(rows);
            sorted.sort(
                    Comparator.comparingInt((Row r) -> order.indexOf(r.measure()))
                            .thenComparing(Row::tool)
                            .thenComparingInt(Row::delayMillis));
            for (Row r : sorted) {
                String vsZero =
                        find(r.measure(), r.tool(), 0)
                                .filter(z -> z != r)
                                .map(
                                        z ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%.0f %%",
                                                        100
                                                                * r.filesPerSecond()
                                                                / z.filesPerSecond()))
                                .orElse("");
                long requests = Math.max(1, r.requests().total());
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %s | +%d ms | %,d | %.1f | %,.0f%s | %s | %.3f | %s | %.3f |"
                                        + " %.3f | %.3f | %s |%n",
                                r.measure(),
                                r.tool(),
                                r.delayMillis(),
                                r.files(),
                                r.seconds(),
                                r.filesPerSecond(),
                                Double.isNaN(r.secondsFromFirst())
                                        ? ""
                                        : String.format(
                                                Locale.ROOT,
                                                " (%,.0f)",
                                                r.files() / r.secondsFromFirst()),
                                vsZero,
                                r.requestsPerFile(),
                                byKind(r),
                                1000 * r.clientCpuSeconds() / r.files(),
                                1000 * r.proxyCpuSeconds() / requests,
                                1000 * r.azuriteCpuSeconds() / r.files(),
                                r.freshness().format()));
            }
            sb.append(
                    "\nRequests are counted by the proxy: download = GET of a blob, properties ="
                            + " HEAD of a blob, list = a listing page, feed = any read under"
                            + " `$blobchangefeed`, write = PUT/POST/DELETE (the job's own markers,"
                            + " leases and logs), other = container or service requests. Client"
                            + " CPU: rclone's own, or the benchmark JVM's (Flink, the job, the"
                            + " samplers) minus the proxy's threads. Freshness: from the moment the"
                            + " backlog became readable until a sampled path (at most 200) is in"
                            + " place (deleted, or of its new size); for a backlog it measures how"
                            + " long events wait, so it grows with the backlog. A backlog's files/s"
                            + " are counted from the moment it became readable (in parentheses:"
                            + " from the first event applied, past the wait for the job's next"
                            + " poll of the feed, up to 1 s).\n\n");
            sb.append(BlobSyncLoad.Result.stateSize(paths, checkpointBytes)).append("\n\n");
            sb.append(goals());
            return sb.toString();
        }

        private static String byKind(Row r) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<RequestKind, Long> e : r.requests().byKind().entrySet()) {
                if (e.getValue() == 0) {
                    continue;
                }
                sb.append(sb.length() == 0 ? "" : ", ")
                        .append(e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                        .append(' ')
                        .append(
                                String.format(
                                        Locale.ROOT, "%.3g", e.getValue() / (double) r.files()));
            }
            return sb.toString().replace("change feed", "feed");
        }

        /** Issue 10's latency goals, at the largest delay measured. */
        String goals() {
            int d = plan.maxDelay();
            StringBuilder sb = new StringBuilder();
            sb.append("| goal (at +").append(d).append(" ms) | target | measured | |\n");
            sb.append("| --- | ---: | ---: | --- |\n");
            ratio(sb, "download backlog vs +0 ms (files/s)", DOWNLOAD_BACKLOG, AUTO_IMPORT, d);
            find(DOWNLOAD_BACKLOG, AUTO_IMPORT, d)
                    .ifPresent(
                            r ->
                                    sb.append(
                                            line(
                                                    "download and properties requests per"
                                                            + " changed file",
                                                    "1",
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%.2f",
                                                            r.blobRequestsPerFile()),
                                                    r.blobRequestsPerFile() <= 1.0 + 1e-9)));
            find(NO_DOWNLOAD_BACKLOG, AUTO_IMPORT, d)
                    .ifPresent(
                            r ->
                                    sb.append(
                                            line(
                                                    "no-download events per second (backlog)",
                                                    "≥ 20,000/s",
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%,.0f/s",
                                                            r.filesPerSecond()),
                                                    r.filesPerSecond() >= 20_000)));
            ratio(sb, "full sync vs +0 ms (files/s)", FULL_SYNC, Results.IMPORT, d);
            Optional<Row> ours = find(FULL_SYNC, Results.IMPORT, d);
            Optional<Row> theirs = find(FULL_SYNC, Results.RCLONE, d);
            if (ours.isPresent() && theirs.isPresent()) {
                double x = theirs.get().seconds() / ours.get().seconds();
                sb.append(
                        line(
                                "full sync vs rclone through the same proxy",
                                "≥ 1.30×",
                                String.format(Locale.ROOT, "%.2f×", x),
                                x >= 1.3));
            }
            return sb.append('\n').toString();
        }

        private void ratio(StringBuilder sb, String goal, String measure, String tool, int d) {
            Optional<Row> zero = find(measure, tool, 0);
            Optional<Row> at = find(measure, tool, d);
            if (zero.isPresent() && at.isPresent() && d > 0) {
                double share = at.get().filesPerSecond() / zero.get().filesPerSecond();
                sb.append(
                        line(
                                goal,
                                "≥ 90 %",
                                String.format(Locale.ROOT, "%.0f %%", 100 * share),
                                share >= 0.9));
            }
        }

        private static String line(String goal, String target, String measured, boolean met) {
            return String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s |%n",
                    goal,
                    target,
                    measured,
                    met ? "met" : "**missed**");
        }
    }

    private LatencySweep() {}
}
