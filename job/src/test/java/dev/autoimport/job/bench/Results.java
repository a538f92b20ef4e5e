package dev.autoimport.job.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Everything one benchmark run measured, and its rendering as markdown tables. */
final class Results {

    static final String RCLONE = "rclone sync";
    static final String IMPORT = "import job";
    static final String FULL = "full sync";
    static final String RESYNC = "re-sync, nothing changed";
    static final String CHANGED = "re-sync after 100 changes";

    /** One measured sync. */
    record Row(
            String container,
            int containerBlobs,
            boolean mixed,
            String phase,
            String tool,
            long blobs,
            long bytes,
            double seconds,
            double cpuSeconds,
            double azuriteCpuSeconds,
            double otherCpuSeconds,
            int peakConnections,
            double peakRssMib,
            double peakHeapMib) {
        double blobsPerSecond() {
            return blobs / seconds;
        }

        double mibPerSecond() {
            return bytes / seconds / (1 << 20);
        }

        double azuriteCpuMsPerBlob() {
            return 1000 * azuriteCpuSeconds / blobs;
        }
    }

    /** Seeding of one container. */
    record Seeding(String container, int blobs, long bytes, double seconds) {}

    /** Time to reflect 100 changes at one container size; empty means "not measured". */
    record Freshness(
            int containerBlobs,
            Optional<Double> rcloneSeconds,
            Optional<Double> importSeconds,
            Optional<Double> autoImportSeconds,
            String autoImportNote) {}

    final List<Seeding> seedings = new ArrayList<>();
    final Map<String, Ceiling.Result> ceilings = new LinkedHashMap<>();
    final List<Row> rows = new ArrayList<>();
    final List<Freshness> freshness = new ArrayList<>();
    final List<String> checks = new ArrayList<>();
    Optional<BlobSyncLoad.Result> blobSync = Optional.empty();
    Optional<LatencySweep.Result> latency = Optional.empty();

    Optional<Row> find(String container, String phase, String tool) {
        return rows.stream()
                .filter(
                        r ->
                                r.container().equals(container)
                                        && r.phase().equals(phase)
                                        && r.tool().equals(tool))
                .findFirst();
    }

    // ---------------------------------------------------------------------------------------

    String seedingTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| container | blobs | MiB | seconds | uploads/s |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: |\n");
        for (Seeding s : seedings) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,.0f | %.1f | %,.0f |%n",
                            s.container(),
                            s.blobs(),
                            s.bytes() / (double) (1 << 20),
                            s.seconds(),
                            s.blobs() / s.seconds()));
        }
        return sb.toString();
    }

    String ceilingTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| container | probe | connections | per second | MiB/s |"
                        + " Azurite CPU s / 1k | client CPU s / 1k |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<String, Ceiling.Result> e : ceilings.entrySet()) {
            Ceiling.Probe best = e.getValue().best();
            for (Ceiling.Probe p : e.getValue().probes()) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %s%s | %d | %,.0f %s | %s | %.2f | %.2f |%n",
                                e.getKey(),
                                p.tool(),
                                p == best ? " **(ceiling)**" : "",
                                p.connections(),
                                p.requestsPerSecond(),
                                p.isListing() ? "blobs" : "GETs",
                                p.isListing()
                                        ? "–"
                                        : String.format(Locale.ROOT, "%,.1f", p.mibPerSecond()),
                                p.azuriteCpuPerThousand(),
                                p.clientCpuPerThousand()));
            }
        }
        return sb.toString();
    }

    String mainTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| container | phase | tool | blobs | seconds | blobs/s | MiB/s | × ceiling |"
                        + " × rclone | CPU s / 1k blobs | Azurite CPU s / 1k blobs |"
                        + " other processes' CPU s | peak connections | peak RSS MiB |"
                        + " peak heap MiB |\n");
        sb.append(
                "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:"
                        + " | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            Ceiling.Result ceiling = ceilings.get(r.container());
            String vsCeiling = "";
            if (ceiling != null) {
                vsCeiling =
                        r.mixed()
                                ? String.format(
                                        Locale.ROOT,
                                        "%.0f %% (MiB/s)",
                                        100 * r.mibPerSecond() / ceiling.mibPerSecond())
                                : String.format(
                                        Locale.ROOT,
                                        "%.0f %%",
                                        100 * r.blobsPerSecond() / ceiling.requestsPerSecond());
            }
            String vsRclone = "";
            if (r.tool().equals(IMPORT)) {
                vsRclone =
                        find(r.container(), r.phase(), RCLONE)
                                .map(
                                        rc ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%.2f×",
                                                        rc.seconds() / r.seconds()))
                                .orElse("");
            }
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %,d | %.1f | %,.0f | %,.1f | %s | %s | %.2f | %.2f |"
                                    + " %.1f | %d | %,.0f | %s |%n",
                            r.container(),
                            r.phase(),
                            r.tool(),
                            r.blobs(),
                            r.seconds(),
                            r.blobsPerSecond(),
                            r.mibPerSecond(),
                            vsCeiling,
                            vsRclone,
                            1000 * r.cpuSeconds() / r.blobs(),
                            1000 * r.azuriteCpuSeconds() / r.blobs(),
                            r.otherCpuSeconds(),
                            r.peakConnections(),
                            r.peakRssMib(),
                            r.peakHeapMib() > 0
                                    ? String.format(Locale.ROOT, "%,.0f", r.peakHeapMib())
                                    : "–"));
        }
        return sb.toString();
    }

    String freshnessTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| blobs in container | rclone sync (s) | import job re-walk (s) |"
                        + " auto-import, change feed (s) |\n");
        sb.append("| ---: | ---: | ---: | --- |\n");
        for (Freshness f : freshness) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %,d | %s | %s | %s |%n",
                            f.containerBlobs(),
                            f.rcloneSeconds()
                                    .map(s -> String.format(Locale.ROOT, "%.1f", s))
                                    .orElse("–"),
                            f.importSeconds()
                                    .map(s -> String.format(Locale.ROOT, "%.1f", s))
                                    .orElse("–"),
                            f.autoImportSeconds()
                                    .map(s -> String.format(Locale.ROOT, "%.1f", s))
                                    .orElse(f.autoImportNote())));
        }
        return sb.toString();
    }

    /** The goals, judged on the largest small-blob container measured. */
    String goals() {
        StringBuilder sb = new StringBuilder();
        Optional<Row> full =
                rows.stream()
                        .filter(
                                r ->
                                        r.tool().equals(IMPORT)
                                                && r.phase().equals(FULL)
                                                && !r.mixed())
                        .reduce((a, b) -> a.containerBlobs() >= b.containerBlobs() ? a : b);
        if (full.isEmpty()) {
            return "(no import run measured)\n";
        }
        Row f = full.get();
        Optional<Row> rc = find(f.container(), FULL, RCLONE);
        Ceiling.Result ceiling = ceilings.get(f.container());
        Optional<Row> rewalk = find(f.container(), RESYNC, IMPORT);
        sb.append("| goal (container ")
                .append(f.container())
                .append(
                        ") | target | measured | | the target needs | Azurite's thread allows at"
                                + " the CPU this sync cost it |\n");
        sb.append("| --- | ---: | ---: | --- | ---: | ---: |\n");
        if (rc.isPresent()) {
            double ratio = rc.get().seconds() / f.seconds();
            sb.append(
                    goalLine(
                            "full sync vs rclone (files/s)",
                            "≥ 1.30×",
                            ratio >= 1.3,
                            String.format(Locale.ROOT, "%.2f×", ratio),
                            1.3 * rc.get().blobsPerSecond(),
                            f));
        }
        if (ceiling != null) {
            double share = f.blobsPerSecond() / ceiling.requestsPerSecond();
            sb.append(
                    goalLine(
                            "full sync vs raw GET ceiling",
                            "≥ 70 %",
                            share >= 0.70,
                            String.format(Locale.ROOT, "%.0f %%", 100 * share),
                            0.7 * ceiling.requestsPerSecond(),
                            f));
        }
        if (rewalk.isPresent()) {
            double rate = rewalk.get().blobsPerSecond();
            sb.append(
                    goalLine(
                            "re-walk of the unchanged container",
                            "≥ 20,000 blobs/s",
                            rate >= 20_000,
                            String.format(Locale.ROOT, "%,.0f blobs/s", rate),
                            20_000,
                            rewalk.get()));
        }
        sb.append(
                "\nA goal whose rate is above what Azurite's one JavaScript thread allows at the"
                        + " CPU the sync cost it (its share of the listing and one authenticated"
                        + " download per blob) cannot be met against Azurite on this machine,"
                        + " whatever the client does.\n");
        sb.append('\n').append(limits(f.container()));
        return sb.toString();
    }

    /**
     * What the measured CPU costs allow on this machine, whatever the wall times were: Azurite
     * serves requests on one JavaScript thread, so it answers at most 1 / (its CPU per blob) blobs
     * per second; and client and Azurite share two cores, so together at most 2 / (their CPU per
     * blob). Derived from the table above, not measured on their own.
     */
    String limits(String container) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "Limits implied by the CPU each sync cost (container "
                        + container
                        + "): Azurite answers on one JavaScript thread, so at most 1,000 / its"
                        + " CPU ms per blob; client and Azurite share 2 cores, so at most 2,000 /"
                        + " (client + Azurite CPU ms per blob).\n\n");
        sb.append(
                "| phase | tool | client CPU ms / blob | Azurite CPU ms / blob |"
                        + " Azurite's thread allows | 2 cores allow |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            if (!r.container().equals(container) || r.phase().equals(CHANGED)) {
                continue;
            }
            double client = 1000 * r.cpuSeconds() / r.blobs();
            double az = r.azuriteCpuMsPerBlob();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.2f | %.2f | %,.0f blobs/s | %,.0f blobs/s |%n",
                            r.phase(),
                            r.tool(),
                            client,
                            az,
                            1000 / az,
                            2000 / (client + az)));
        }
        return sb.toString();
    }

    /**
     * One goal: {@code needs} is the rate in blobs per second the target asks for, set beside the
     * most Azurite's single thread can serve at the CPU per blob that {@code sync} cost it.
     */
    private static String goalLine(
            String goal, String target, boolean met, String measured, double needs, Row sync) {
        return String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %,.0f blobs/s | %,.0f blobs/s |%n",
                goal,
                target,
                measured,
                met ? "met" : "**missed**",
                needs,
                1000 / sync.azuriteCpuMsPerBlob());
    }
}
