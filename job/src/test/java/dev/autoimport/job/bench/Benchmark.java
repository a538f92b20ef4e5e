package dev.autoimport.job.bench;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.blob.testing.BlobServiceProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The benchmark behind {@code deploy/benchmark/run.sh}: seeds Azurite, measures the raw GET
 * ceiling, then mirrors the same containers with {@code rclone sync} and with our import job, and
 * writes the tables, charts and a markdown report. See {@code deploy/benchmark/README.md}.
 *
 * <p>Not a test (no Test/ITCase suffix): the normal build compiles it and never runs it.
 */
public final class Benchmark {

    private static final String LOGGING_CONTAINER = "auto-import-logs";

    /**
     * Settings every import run gets: none beyond the defaults. A re-run of the import job starts
     * without state, yet the default {@code skip} replaces a file whose blob changed since, because
     * the file's import marker shows the job wrote it (SPEC 4: clean), as {@code rclone sync} does.
     */
    static final List<String> BASE_JOB_ARGS = List.of();

    /** Default rclone concurrency: as many downloads in flight as our job (2 subtasks × 32). */
    static final String DEFAULT_RCLONE_FLAGS = "--transfers 64 --checkers 64 --fast-list";

    private final Options options;
    private final Results results = new Results();
    private final long started = System.nanoTime();

    private AzuriteServer azurite;
    private Corpus corpus;
    private Ceiling ceiling;
    private RcloneRunner rclone;
    private ImportRunner importer;
    private BenchFeed feed;

    private Benchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Options options = Options.parse(args);
        new Benchmark(options).run();
        // Netty and Flink leave non-daemon threads behind.
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(options.work);
        log("work directory %s", options.work);
        log("rclone: %s, flags %s", RcloneRunner.version(), options.rcloneFlags);
        log("import job: parallelism 2, extra settings %s", options.jobArgs);
        try (AzuriteServer az =
                        AzuriteServer.start(options.work, options.million ? 14_000 : 6_000);
                ImportRunner imp = new ImportRunner(2)) {
            azurite = az;
            importer = imp;
            log("Azurite pid %d on %s (in memory)", az.pid(), az.blobEndpoint());
            corpus = new Corpus(az.connectionString());
            ceiling = new Ceiling(az, options.work, options.probeSeconds);
            rclone =
                    new RcloneRunner(
                            az, options.work, Arrays.asList(options.rcloneFlags.split(" ")));
            az.serviceClient().getBlobContainerClient(LOGGING_CONTAINER).createIfNotExists();
            feed = new BenchFeed(az);

            if (!options.sizes.isEmpty() || options.latencyOnly) {
                warmUp();
            }
            for (int size : options.sizes) {
                smallContainer(new Corpus.Spec("small-" + size, size, false));
            }
            if (options.blobSync && !options.latencyOnly) {
                blobSyncLoad();
            }
            if (options.latency) {
                latency();
            }
            if (options.mixed) {
                mixedContainer(new Corpus.Spec("mixed", 400, true));
            }
            log("Azurite used %.1f CPU s in all; RSS now %,.0f MiB", az.cpuSeconds(), az.rssMib());
        }
        String report = report();
        System.out.println();
        System.out.println(report);
        Files.createDirectories(options.results);
        Charts.importRate(results, options.results.resolve(Charts.RATE_PNG));
        Charts.freshness(results, options.results.resolve(Charts.FRESHNESS_PNG));
        Files.writeString(options.results.resolve("results.md"), report, StandardCharsets.UTF_8);
        log(
                "wrote %s, %s and %s in %s",
                "results.md", Charts.RATE_PNG, Charts.FRESHNESS_PNG, options.results);
    }

    /** Blob sync under load; a failure is a failed check, and the report is still written. */
    private void blobSyncLoad() throws InterruptedException {
        waitForQuiet();
        try {
            BlobSyncLoad.Result r =
                    new BlobSyncLoad(
                                    importer,
                                    azurite,
                                    feed,
                                    corpus,
                                    options.work,
                                    LOGGING_CONTAINER,
                                    options.jobArgs,
                                    line -> log("%s", line))
                            .run(
                                    options.quick
                                            ? BlobSyncLoad.Plan.quick()
                                            : BlobSyncLoad.Plan.full());
            results.blobSync = Optional.of(r);
            for (String c : r.checks()) {
                results.checks.add(c);
                log("%s", c);
            }
        } catch (Exception e) {
            check(false, "blob sync under load did not complete: %s", e);
        }
    }

    /**
     * The latency section: full syncs (import job, rclone) and the auto-import job's backlogs at
     * each delay, all through one {@link BlobServiceProxy}; see {@link LatencySweep}.
     */
    private void latency() throws Exception {
        LatencySweep.Plan plan = options.latencyPlan;
        List<LatencySweep.Row> rows = new ArrayList<>();
        BlobSyncLoad.LatencyRuns backlogs = null;
        try (BlobServiceProxy proxy = BlobServiceProxy.start(azurite.port(), 1)) {
            AzuriteServer via = azurite.through(proxy);
            Corpus.Spec spec = new Corpus.Spec("latency-" + plan.blobs(), plan.blobs(), false);
            log(
                    "== latency: %,d small blobs through a proxy on port %d adding %s ms",
                    plan.blobs(), proxy.port(), plan.delaysMillis());
            seed(spec);
            String sas = sasUrl(via, spec.container());
            Path warm = fresh("import-latency-warmup");
            importer.run(via, spec.container(), warm, LOGGING_CONTAINER, options.jobArgs, null);
            deleteTree(warm);
            List<LatencySweep.Row> passes = new ArrayList<>();
            for (int delay : LatencySweep.thereAndBack(plan.delaysMillis())) {
                passes.addAll(fullSyncs(proxy, via, spec, sas, delay));
            }
            rows.addAll(LatencySweep.addUp(passes));
            proxy.setDelay(Duration.ZERO);
            azurite.serviceClient().getBlobContainerClient(spec.container()).delete();
            if (options.blobSync) {
                waitForQuiet();
                List<String> checks = new ArrayList<>();
                try {
                    backlogs =
                            new BlobSyncLoad(
                                            importer,
                                            via,
                                            feed,
                                            corpus,
                                            options.work,
                                            LOGGING_CONTAINER,
                                            options.jobArgs,
                                            line -> log("%s", line))
                                    .latency(
                                            BlobSyncLoad.Plan.latency(
                                                    plan.backlogEvents(),
                                                    plan.downloadEvents(),
                                                    plan.delaysMillis().size()),
                                            proxy,
                                            plan.delaysMillis(),
                                            checks);
                    rows.addAll(backlogs.rows());
                } catch (Exception e) {
                    check(false, "latency: the backlogs did not complete: %s", e);
                }
                for (String c : checks) {
                    results.checks.add("latency, " + c);
                    log("latency, %s", c);
                }
            }
        }
        results.latency =
                Optional.of(
                        new LatencySweep.Result(
                                plan,
                                rows,
                                backlogs == null ? 0 : backlogs.paths(),
                                backlogs == null
                                        ? OptionalLong.empty()
                                        : backlogs.checkpointBytes()));
    }

    /** The import job's and rclone's full sync of {@code spec} through the proxy at one delay. */
    private List<LatencySweep.Row> fullSyncs(
            BlobServiceProxy proxy, AzuriteServer via, Corpus.Spec spec, String sas, int delay)
            throws Exception {
        List<LatencySweep.Row> rows = new ArrayList<>();
        proxy.setDelay(Duration.ofMillis(delay));
        Path importDir = fresh("import-latency");
        waitForQuiet();
        BlobServiceProxy.Counts before = proxy.counts();
        double proxyCpu0 = proxy.cpuSeconds();
        ImportRunner.Run r =
                importer.run(
                        via,
                        spec.container(),
                        importDir,
                        LOGGING_CONTAINER,
                        options.jobArgs,
                        "latency-" + delay + "ms");
        double proxyCpu = proxy.cpuSeconds() - proxyCpu0;
        rows.add(
                new LatencySweep.Row(
                        LatencySweep.FULL_SYNC,
                        Results.IMPORT,
                        delay,
                        r.blobsWalked(),
                        r.seconds(),
                        Double.NaN,
                        proxy.counts().minus(before),
                        r.cpuSeconds() - proxyCpu,
                        proxyCpu,
                        r.azuriteCpuSeconds(),
                        BlobSyncLoad.Latency.NONE));
        log(
                "+%d ms: import job %.1f s, %,.0f files/s, requests %s",
                delay, r.seconds(), r.blobsWalked() / r.seconds(), proxy.counts().minus(before));
        check(
                r.imported() == spec.blobs() && r.errors() == 0,
                "latency +%d ms: the import job imported %,d of %,d blobs, %d errors",
                delay,
                r.imported(),
                spec.blobs(),
                r.errors());
        if (!options.skipRclone) {
            Path rcloneDir = fresh("rclone-latency");
            waitForQuiet();
            before = proxy.counts();
            proxyCpu0 = proxy.cpuSeconds();
            RcloneRunner.Run rc = rclone.sync(spec.container(), sas, rcloneDir);
            rows.add(
                    new LatencySweep.Row(
                            LatencySweep.FULL_SYNC,
                            Results.RCLONE,
                            delay,
                            spec.blobs(),
                            rc.seconds(),
                            Double.NaN,
                            proxy.counts().minus(before),
                            rc.cpuSeconds(),
                            proxy.cpuSeconds() - proxyCpu0,
                            rc.azuriteCpuSeconds(),
                            BlobSyncLoad.Latency.NONE));
            log(
                    "+%d ms: rclone %.1f s, %,.0f files/s, requests %s",
                    delay, rc.seconds(), spec.blobs() / rc.seconds(), proxy.counts().minus(before));
            compareTrees("latency +" + delay + " ms", rcloneDir, importDir, spec.blobs());
            deleteTree(rcloneDir);
        }
        deleteTree(importDir);
        return rows;
    }

    private void smallContainer(Corpus.Spec spec) throws Exception {
        String label = spec.label();
        log("== container %s: %,d small blobs", spec.container(), spec.blobs());
        Corpus.Seeded seeded = seed(spec);
        if (!options.skipCeiling) {
            waitForQuiet();
            Ceiling.Result c =
                    ceiling.measure(spec.container(), seeded.names(), new int[] {16, 64}, 64);
            results.ceilings.put(label, c);
            for (Ceiling.Probe p : c.probes()) {
                log(
                        "probe %-24s c=%-3d %,8.0f/s  Azurite CPU %.2f s/1k  client CPU %.2f s/1k",
                        p.tool(),
                        p.connections(),
                        p.requestsPerSecond(),
                        p.azuriteCpuPerThousand(),
                        p.clientCpuPerThousand());
            }
        }
        Path rcloneDir = fresh("rclone-" + spec.container());
        Path importDir = fresh("import-" + spec.container());
        String sas = sasUrl(azurite, spec.container());

        if (!options.skipRclone) {
            rcloneRow(spec, Results.FULL, sas, rcloneDir, seeded.bytes());
            rcloneRow(spec, Results.RESYNC, sas, rcloneDir, 0);
        }
        ImportRunner.Run full = importRow(spec, Results.FULL, importDir, seeded.bytes());
        check(
                full.imported() == spec.blobs() && full.errors() == 0,
                "%s: the import job imported %,d of %,d blobs, %d errors",
                label,
                full.imported(),
                spec.blobs(),
                full.errors());
        ImportRunner.Run again = importRow(spec, Results.RESYNC, importDir, 0);
        check(
                again.preexisting() == spec.blobs() && again.imported() == 0,
                "%s: the re-walk found %,d pre-existing and imported %,d",
                label,
                again.preexisting(),
                again.imported());

        corpus.applyHundredChanges(spec, 1);
        int total = spec.blobs() + 40;
        Optional<Double> rcloneChanged = Optional.empty();
        if (!options.skipRclone) {
            rcloneChanged =
                    Optional.of(rcloneRow(spec, Results.CHANGED, sas, rcloneDir, 0).seconds());
        }
        ImportRunner.Run changed = importRow(spec, Results.CHANGED, importDir, 0);
        check(
                changed.imported() == 100 && changed.blobsWalked() == total,
                "%s: after 100 changes the import job walked %,d and imported %,d",
                label,
                changed.blobsWalked(),
                changed.imported());
        if (!options.skipRclone) {
            compareTrees(label, rcloneDir, importDir, total);
        }
        AutoImportFreshness freshness = new AutoImportFreshness();
        Optional<Double> feedSeconds = Optional.empty();
        if (options.blobSync) {
            // On the tree the import job left; the auto-import job walks it, then reads the feed.
            waitForQuiet();
            try {
                feedSeconds =
                        freshness.measure(
                                importer,
                                azurite,
                                feed,
                                corpus,
                                spec,
                                importDir,
                                LOGGING_CONTAINER,
                                options.jobArgs);
            } catch (Exception e) {
                check(false, "%s: the auto-import job did not reflect 100 changes: %s", label, e);
            }
            log(
                    "auto-import job reflected 100 changes in %s",
                    feedSeconds
                            .map(s -> String.format(Locale.ROOT, "%.2f s", s))
                            .orElse(freshness.note()));
        }
        results.freshness.add(
                new Results.Freshness(
                        spec.blobs(),
                        rcloneChanged,
                        Optional.of(changed.seconds()),
                        feedSeconds,
                        options.blobSync ? freshness.note() : "not measured (--skip-blob-sync)"));
        deleteTree(rcloneDir);
        deleteTree(importDir);
        azurite.serviceClient().getBlobContainerClient(spec.container()).delete();
    }

    private void mixedContainer(Corpus.Spec spec) throws Exception {
        String label = spec.label();
        log("== container %s: %,d blobs of mixed sizes", spec.container(), spec.blobs());
        Corpus.Seeded seeded = seed(spec);
        if (!options.skipCeiling) {
            waitForQuiet();
            Ceiling.Result c =
                    ceiling.measure(spec.container(), seeded.names(), new int[] {16}, 16);
            results.ceilings.put(label, c);
            log("ceiling %,.0f MiB/s", c.mibPerSecond());
        }
        Path rcloneDir = fresh("rclone-" + spec.container());
        Path importDir = fresh("import-" + spec.container());
        String sas = sasUrl(azurite, spec.container());
        if (!options.skipRclone) {
            rcloneRow(spec, Results.FULL, sas, rcloneDir, seeded.bytes());
            rcloneRow(spec, Results.RESYNC, sas, rcloneDir, 0);
        }
        ImportRunner.Run full = importRow(spec, Results.FULL, importDir, seeded.bytes());
        check(
                full.imported() == spec.blobs() && full.errors() == 0,
                "%s: the import job imported %,d of %,d blobs",
                label,
                full.imported(),
                spec.blobs());
        importRow(spec, Results.RESYNC, importDir, 0);
        if (!options.skipRclone) {
            compareTrees(label, rcloneDir, importDir, spec.blobs());
        }
        deleteTree(rcloneDir);
        deleteTree(importDir);
        azurite.serviceClient().getBlobContainerClient(spec.container()).delete();
    }

    private Corpus.Seeded seed(Corpus.Spec spec) {
        double az0 = azurite.cpuSeconds();
        double own0 = ProcStats.ownCpuSeconds();
        Corpus.Seeded seeded = corpus.seed(spec);
        results.seedings.add(
                new Results.Seeding(
                        spec.container(), spec.blobs(), seeded.bytes(), seeded.seconds()));
        log(
                "seeded %,d blobs (%,.0f MiB) in %.1f s; CPU: Azurite %.1f s, uploader %.1f s",
                spec.blobs(),
                seeded.bytes() / 1048576.0,
                seeded.seconds(),
                azurite.cpuSeconds() - az0,
                ProcStats.ownCpuSeconds() - own0);
        return seeded;
    }

    /**
     * Warms the JIT up before anything is measured: the import job twice over a small container of
     * its own, and the SDK through seeding it. rclone is compiled ahead of time and needs none.
     */
    private void warmUp() throws Exception {
        Corpus.Spec spec = new Corpus.Spec("warmup", 10_000, false);
        log("== warm-up: the import job twice over %,d blobs (not measured)", spec.blobs());
        corpus.seed(spec);
        Path dir = fresh("import-warmup");
        for (int i = 0; i < 2; i++) {
            importer.run(azurite, spec.container(), dir, LOGGING_CONTAINER, options.jobArgs, null);
        }
        deleteTree(dir);
        azurite.serviceClient().getBlobContainerClient(spec.container()).delete();
    }

    /**
     * Waits, up to 10 s, until other processes on the machine have used less than a quarter of a
     * core for 3 s in a row: on a shared machine, a build running beside the benchmark would
     * otherwise skew it. Each row's "other processes' CPU" shows what remained.
     */
    private void waitForQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int quietSeconds = 0;
        while (quietSeconds < 3 && System.nanoTime() < deadline) {
            double machine0 = ProcStats.machineBusySeconds();
            double az0 = azurite.cpuSeconds();
            double own0 = ProcStats.ownCpuSeconds();
            Thread.sleep(1000);
            double others =
                    ProcStats.machineBusySeconds()
                            - machine0
                            - (azurite.cpuSeconds() - az0)
                            - (ProcStats.ownCpuSeconds() - own0);
            quietSeconds = others < 0.25 ? quietSeconds + 1 : 0;
        }
        if (quietSeconds < 3) {
            log("other processes still busy after 10 s of waiting; measuring anyway");
        }
    }

    private RcloneRunner.Run rcloneRow(
            Corpus.Spec spec, String phase, String sas, Path dir, long bytes) throws Exception {
        waitForQuiet();
        RcloneRunner.Run r = rclone.sync(spec.container(), sas, dir);
        long blobs = spec.blobs() + (phase.equals(Results.CHANGED) ? 40 : 0);
        results.rows.add(
                new Results.Row(
                        spec.label(),
                        spec.blobs(),
                        spec.mixed(),
                        phase,
                        Results.RCLONE,
                        blobs,
                        bytes,
                        r.seconds(),
                        r.cpuSeconds(),
                        r.azuriteCpuSeconds(),
                        Math.max(0, r.machineCpuSeconds() - r.cpuSeconds() - r.azuriteCpuSeconds()),
                        r.peakConnections(),
                        r.peakRssMib(),
                        0));
        log(
                "%-26s rclone      %7.1f s  %,8.0f blobs/s  CPU %.1f s  RSS %,.0f MiB  connections %d",
                phase,
                r.seconds(),
                blobs / r.seconds(),
                r.cpuSeconds(),
                r.peakRssMib(),
                r.peakConnections());
        return r;
    }

    private ImportRunner.Run importRow(Corpus.Spec spec, String phase, Path dir, long bytes)
            throws Exception {
        waitForQuiet();
        ImportRunner.Run r =
                importer.run(
                        azurite,
                        spec.container(),
                        dir,
                        LOGGING_CONTAINER,
                        options.jobArgs,
                        spec.container() + "-" + phase);
        results.rows.add(
                new Results.Row(
                        spec.label(),
                        spec.blobs(),
                        spec.mixed(),
                        phase,
                        Results.IMPORT,
                        r.blobsWalked(),
                        bytes,
                        r.seconds(),
                        r.cpuSeconds(),
                        r.azuriteCpuSeconds(),
                        Math.max(0, r.machineCpuSeconds() - r.cpuSeconds() - r.azuriteCpuSeconds()),
                        r.peakConnections(),
                        r.peakRssMib(),
                        r.peakHeapMib()));
        log(
                "%-26s import job  %7.1f s  %,8.0f blobs/s  CPU %.1f s  RSS %,.0f MiB  heap %,.0f MiB"
                        + "  connections %d  (walked %,d, imported %,d, pre-existing %,d, errors %d)",
                phase,
                r.seconds(),
                r.blobsWalked() / r.seconds(),
                r.cpuSeconds(),
                r.peakRssMib(),
                r.peakHeapMib(),
                r.peakConnections(),
                r.blobsWalked(),
                r.imported(),
                r.preexisting(),
                r.errors());
        return r;
    }

    /** A container SAS URL for rclone, to Azurite or (a view through a proxy) to the proxy. */
    private static String sasUrl(AzuriteServer server, String container) {
        BlobContainerClient c = server.serviceClient().getBlobContainerClient(container);
        String sas =
                c.generateSas(
                        new BlobServiceSasSignatureValues(
                                OffsetDateTime.now().plusDays(1),
                                new BlobContainerSasPermission()
                                        .setReadPermission(true)
                                        .setListPermission(true)));
        return c.getBlobContainerUrl() + "?" + sas;
    }

    /** Both mirrors hold the same files with the same sizes. */
    private void compareTrees(String label, Path a, Path b, int expectedFiles) throws IOException {
        Map<String, Long> left = files(a);
        Map<String, Long> right = files(b);
        check(
                left.equals(right) && left.size() == expectedFiles,
                "%s: rclone's and the import job's trees hold the same %,d files (%,d / %,d)",
                label,
                expectedFiles,
                left.size(),
                right.size());
    }

    private static Map<String, Long> files(Path root) throws IOException {
        Map<String, Long> files = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.startsWith(".auto-import") || !Files.isRegularFile(p)) {
                    continue;
                }
                files.put(rel, Files.size(p));
            }
        }
        return files;
    }

    private void check(boolean ok, String format, Object... args) {
        String line = (ok ? "ok: " : "FAILED: ") + String.format(Locale.ROOT, format, args);
        results.checks.add(line);
        log("%s", line);
    }

    private Path fresh(String name) throws IOException {
        Path dir = options.work.resolve(name);
        deleteTree(dir);
        return Files.createDirectories(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private void log(String format, Object... args) {
        System.out.printf(
                Locale.ROOT,
                "[bench %6.1f s] %s%n",
                (System.nanoTime() - started) / 1e9,
                String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    // ---------------------------------------------------------------------------------------

    private String report() throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Benchmark results\n\n");
        sb.append("Generated by `")
                .append(options.command)
                .append("` on ")
                .append(
                        DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                                OffsetDateTime.now(ZoneOffset.UTC).withNano(0)))
                .append(" UTC, in ")
                .append(String.format(Locale.ROOT, "%.0f", (System.nanoTime() - started) / 1e9))
                .append(" s. Every number below is what that run printed; see\n")
                .append("`deploy/benchmark/README.md` for what is measured and how.\n\n");
        sb.append("## Machine\n\n```\n").append(machine()).append("```\n\n");
        sb.append("## Setup\n\n");
        sb.append(
                "- Azurite 3.37.0 (in memory, `--silent`), one Node.js process; its CPU is"
                        + " read from /proc and shown apart.\n");
        sb.append("- ")
                .append(RcloneRunner.version())
                .append(", `rclone sync ")
                .append(options.rcloneFlags)
                .append("`, authenticated by a container SAS URL.\n");
        sb.append(
                        "- Our import job: Flink 2.3.0 MiniCluster in the benchmark's JVM, parallelism"
                                + " 2, RocksDB, checkpoints every 10 s, settings: `")
                .append(
                        options.jobArgs.isEmpty()
                                ? "(defaults)"
                                : String.join(" ", options.jobArgs))
                .append("`. JVM: ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"))
                .append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() >> 20)
                .append(" MiB.\n");
        sb.append(
                "- 100 changes = 60 blobs rewritten (new size, bytes and `mtime`) + 40 new"
                        + " blobs; no deletions (the import job's walk computes none).\n");
        sb.append(
                "- Auto-import (change feed): the auto-import job (`--mode auto-import`, deletions"
                        + " on, `changefeed.poll-interval` 1 s) started on the import job's tree,"
                        + " past its walk; the 100 changes applied again and their events published"
                        + " in a change feed written to Azurite in the service's layout; timed from"
                        + " the events being readable to `blobSync.blobsImported` = 100.\n\n");
        sb.append("## Seeding\n\n").append(results.seedingTable()).append('\n');
        sb.append("## Raw GET ceiling of the blob server\n\n")
                .append(results.ceilingTable())
                .append('\n');
        sb.append("## Syncs\n\n").append(results.mainTable()).append('\n');
        sb.append(
                "× ceiling: blobs/s over the container's raw GET/s (mixed: MiB/s over MiB/s)."
                        + " × rclone: rclone's time over ours (above 1 = faster than rclone). CPU: the"
                        + " syncing process (rclone, or the whole JVM hosting Flink); Azurite's own CPU"
                        + " apart. Peak RSS: rclone's max RSS; for the import job the JVM's VmHWM, reset"
                        + " before each run.\n\n");
        sb.append("## Time to reflect 100 changes\n\n")
                .append(results.freshnessTable())
                .append('\n');
        results.blobSync.ifPresent(
                r -> sb.append("## Blob sync under load (change feed)\n\n").append(r.markdown()));
        results.latency.ifPresent(
                r ->
                        sb.append("## Latency: a fixed delay added to every response\n\n")
                                .append(r.markdown()));
        sb.append("## Goals\n\n").append(results.goals()).append('\n');
        sb.append("## Checks\n\n");
        for (String c : results.checks) {
            sb.append("- ").append(c).append('\n');
        }
        sb.append("\n## Charts\n\n");
        sb.append("![import rate](").append(Charts.RATE_PNG).append(")\n\n");
        sb.append("![time to reflect 100 changes](").append(Charts.FRESHNESS_PNG).append(")\n");
        return sb.toString();
    }

    private static String machine() throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        List<String> cpuinfo = Files.readAllLines(Paths.get("/proc/cpuinfo"));
        long cores = cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
        String model =
                cpuinfo.stream()
                        .filter(l -> l.startsWith("model name"))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .orElse("unknown");
        sb.append("cpu: ").append(cores).append(" × ").append(model).append('\n');
        sb.append(exec("free", "-m"));
        sb.append(exec("uname", "-srm"));
        sb.append("node ").append(exec("node", "--version"));
        return sb.toString();
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Command-line options; see deploy/benchmark/README.md. */
    static final class Options {
        Path work;
        Path results;
        List<Integer> sizes = new ArrayList<>(List.of(10_000, 100_000));
        boolean mixed = true;
        boolean million;
        boolean skipRclone;
        boolean skipCeiling;
        boolean blobSync = true;
        boolean latency = true;
        boolean latencyOnly;
        LatencySweep.Plan latencyPlan = LatencySweep.Plan.full();
        Integer latencyBlobs;
        Integer latencyBacklog;
        Integer latencyDownloads;
        List<Integer> latencyDelays;
        boolean quick;
        boolean partial;
        int probeSeconds = 8;
        String rcloneFlags = DEFAULT_RCLONE_FLAGS;
        List<String> jobArgs = new ArrayList<>(BASE_JOB_ARGS);
        String command = "deploy/benchmark/run.sh";

        /** {@code "10000, 100000"} as a list of numbers. */
        private static List<Integer> integers(String commaSeparated) {
            List<Integer> values = new ArrayList<>();
            for (String v : commaSeparated.split(",")) {
                values.add(Integer.parseInt(v.trim()));
            }
            return values;
        }

        /** No containers and no mixed container; results go to the work dir. */
        private void oneSectionAlone() {
            sizes = new ArrayList<>();
            mixed = false;
            partial = true;
        }

        static Options parse(String[] args) {
            Options o = new Options();
            Path repo = AzuriteExtension.repositoryRoot();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick":
                        o.quick = true;
                        o.sizes = new ArrayList<>(List.of(10_000));
                        o.mixed = false;
                        o.latencyPlan = LatencySweep.Plan.quick();
                        break;
                    case "--million":
                        o.million = true;
                        break;
                    case "--sizes":
                        o.sizes = integers(args[++i]);
                        break;
                    case "--no-mixed":
                        o.mixed = false;
                        break;
                    case "--skip-rclone":
                        o.skipRclone = true;
                        break;
                    case "--skip-blob-sync":
                        o.blobSync = false;
                        break;
                    case "--blob-sync-only":
                        o.oneSectionAlone();
                        o.latency = false;
                        break;
                    case "--latency":
                        o.oneSectionAlone();
                        o.latencyOnly = true;
                        break;
                    case "--skip-latency":
                        o.latency = false;
                        break;
                    case "--latency-blobs":
                        o.latencyBlobs = Integer.parseInt(args[++i]);
                        break;
                    case "--latency-backlog":
                        o.latencyBacklog = Integer.parseInt(args[++i]);
                        break;
                    case "--latency-downloads":
                        o.latencyDownloads = Integer.parseInt(args[++i]);
                        break;
                    case "--latency-delays":
                        o.latencyDelays = integers(args[++i]);
                        break;
                    case "--skip-ceiling":
                        o.skipCeiling = true;
                        break;
                    case "--probe-seconds":
                        o.probeSeconds = Integer.parseInt(args[++i]);
                        break;
                    case "--rclone-flags":
                        o.rcloneFlags = args[++i].trim();
                        break;
                    case "--job-args":
                        o.jobArgs = new ArrayList<>(BASE_JOB_ARGS);
                        o.jobArgs.addAll(List.of(args[++i].trim().split("\\s+")));
                        o.jobArgs.removeIf(String::isEmpty);
                        break;
                    case "--work":
                        o.work = Paths.get(args[++i]).toAbsolutePath();
                        break;
                    case "--results":
                        o.results = Paths.get(args[++i]).toAbsolutePath();
                        break;
                    case "--command":
                        o.command = args[++i];
                        break;
                    default:
                        throw new IllegalArgumentException(
                                "unknown option '" + args[i] + "'; see deploy/benchmark/README.md");
                }
            }
            LatencySweep.Plan base = o.latencyPlan;
            o.latencyPlan =
                    new LatencySweep.Plan(
                            o.latencyBlobs != null ? o.latencyBlobs : base.blobs(),
                            o.latencyBacklog != null ? o.latencyBacklog : base.backlogEvents(),
                            o.latencyDownloads != null ? o.latencyDownloads : base.downloadEvents(),
                            o.latencyDelays != null
                                    ? List.copyOf(o.latencyDelays)
                                    : base.delaysMillis());
            if (o.million && !o.sizes.contains(1_000_000)) {
                o.sizes.add(1_000_000);
            }
            if (o.work == null) {
                o.work = repo.resolve("deploy/benchmark/work");
            }
            if (o.results == null) {
                // A smoke run must not overwrite the committed results of a full run.
                o.results =
                        o.quick || o.partial
                                ? o.work.resolve("results")
                                : repo.resolve("src/site/benchmarks");
            }
            return o;
        }
    }
}
