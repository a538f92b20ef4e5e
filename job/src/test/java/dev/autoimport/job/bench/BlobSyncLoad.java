package dev.autoimport.job.bench;

import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import dev.autoimport.connector.blob.testing.BlobServiceProxy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.jfr.Recording;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Metric;

/**
 * Blob sync under load: the auto-import job, past its walk, reading change-feed events published at
 * a steady rate, then a large backlog at once. See {@code deploy/benchmark/README.md}, "Blob sync
 * under load".
 *
 * <p>Set-up (not timed): a container of small blobs is seeded, the tree an earlier import would
 * have left is written straight to disk ({@link Corpus#writeMirror}), the auto-import job starts on
 * it and its walk finds every path pre-existing (so each path has an import record). Then the blobs
 * whose new versions will be published are rewritten (new size and bytes).
 *
 * <p>The blobs whose deletions are published are <em>not</em> deleted from Azurite: Azurite 3.37
 * takes about 15 ms per blob deletion (70/s, measured here), which would make the set-up of tens of
 * thousands of deletions take many minutes. The job decides such a deletion from its import record
 * and a {@code stat} and never asks the service (SPEC 4; {@code PathDecisionFunction#decideDelete}
 * with a record from the walk and an event over a second younger than the blob), so what it does
 * and what it costs are the same; the container is dropped afterwards.
 *
 * <p>Event kinds:
 *
 * <ul>
 *   <li><b>no download</b>: 1 in {@value #DELETION_EVERY} a {@code BlobDeleted} of a file the walk
 *       recorded (decided from the record and a {@code stat}; the file is deleted), the others
 *       {@code BlobCreated} replays carrying the etag already imported (decided from the record
 *       alone). Neither asks the blob service anything.
 *   <li><b>download</b>: {@code BlobCreated} of a new version: the job asks for the blob's
 *       properties and downloads it.
 * </ul>
 *
 * <p>Per step: a generator thread publishes, every {@value #TICK_MILLIS} ms, the events due at the
 * target rate (one chunk per shard) and notes when each batch became readable; an observer stats a
 * sample of the paths of deletions (gone) and downloads (new size) every 5 ms: the time from
 * readable to in place is the <em>observed</em> freshness. The job's {@code
 * blobSync.lastFullySynchronizedTime} (the operations operator's, over all writers) gives a bound
 * for every event, replays included: a batch is applied once that time passes the moment it became
 * readable (<em>fully synchronized</em> freshness). Throughput is Flink's {@code numRecordsIn} of
 * the per-path decision operator (every event, whatever the decision; it emits only what counts).
 */
final class BlobSyncLoad {

    /** One event in this many of the no-download kind is a deletion. */
    static final int DELETION_EVERY = 20;

    static final long TICK_MILLIS = 100;

    /** Freshness samples per second and kind, at most: stat-ing costs CPU on the same 2 cores. */
    private static final int SAMPLES_PER_SECOND = 50;

    /** The observer's stats per second, at most (it waits longer between passes when behind). */
    private static final int STATS_PER_SECOND = 10_000;

    static final String DECISIONS = "per-path decisions";

    /** Paths of a backlog whose freshness is observed, at most. */
    private static final int BACKLOG_SAMPLES = 200;

    /** The warm-up's rate of no-download events: compiles the feed's path before any step. */
    static final int WARM_UP_RATE = 10_000;

    /** What one run does. */
    record Plan(
            double warmUpSeconds,
            List<Integer> rates,
            double stepSeconds,
            int downloadRate,
            double downloadSeconds,
            int backlogEvents,
            int replayPool,
            int backlogRounds,
            int downloadBacklogEvents) {

        static Plan full() {
            return new Plan(10, List.of(1_000, 5_000, 20_000), 20, 500, 20, 200_000, 10_000, 1, 0);
        }

        static Plan quick() {
            return new Plan(5, List.of(1_000, 5_000, 20_000), 8, 500, 8, 100_000, 5_000, 1, 0);
        }

        /**
         * For {@link #latency}: a short warm-up, no steps, then per round (delay) a backlog of
         * {@code backlogEvents} no-download events and one of {@code downloadEvents} downloads.
         */
        static Plan latency(int backlogEvents, int downloadEvents, int rounds) {
            return new Plan(2, List.of(), 0, 100, 0, backlogEvents, 2_000, rounds, downloadEvents);
        }

        int deletions() {
            long events =
                    (long) backlogEvents * backlogRounds + Math.round(WARM_UP_RATE * warmUpSeconds);
            for (int rate : rates) {
                events += Math.round(rate * stepSeconds);
            }
            return (int) (events / DELETION_EVERY + rates.size() + 1);
        }

        /** Downloads of the warm-up: the download path compiled before it is measured. */
        int warmUpDownloads() {
            return (int) Math.round(downloadRate * warmUpSeconds / 2);
        }

        int downloads() {
            return (int) Math.round(downloadRate * downloadSeconds)
                    + warmUpDownloads()
                    + downloadBacklogEvents * backlogRounds;
        }

        int blobs() {
            return deletions() + downloads() + replayPool;
        }
    }

    /** Percentiles of a latency sample, in seconds. */
    record Latency(long samples, double p50, double p99, double max) {
        static final Latency NONE = new Latency(0, Double.NaN, Double.NaN, Double.NaN);

        String format() {
            return samples == 0
                    ? "–"
                    : String.format(Locale.ROOT, "%.2f / %.2f (%,d)", p50, p99, samples);
        }
    }

    /** One step at a steady offered rate. */
    record Step(
            String kind,
            int targetRate,
            long events,
            double offeredSeconds,
            double processedPerSecond,
            long maxBacklog,
            long backlogAtEnd,
            double drainSeconds,
            Latency observed,
            Latency synced,
            double jvmCpuSeconds,
            double generatorCpuSeconds,
            double azuriteCpuSeconds) {

        double offeredPerSecond() {
            return events / offeredSeconds;
        }

        /** Every event of the step over the time from its start until the last was decided. */
        double wholeStepPerSecond() {
            return events / (offeredSeconds + drainSeconds);
        }
    }

    /**
     * A backlog: {@code events} readable at one instant, all applied {@code secondsFromReadable}
     * later; freshness observed on a sample of their paths; CPU of the JVM and of Azurite.
     */
    record Backlog(
            long events,
            double secondsFromReadable,
            double secondsFromFirst,
            Latency observed,
            double jvmCpuSeconds,
            double azuriteCpuSeconds) {}

    /** Everything a run measured. */
    record Result(
            Plan plan,
            int blobs,
            double walkSeconds,
            List<Step> steps,
            Backlog backlog,
            OptionalLong checkpointBytes,
            List<String> checks) {

        /** The report's section: set-up, one row per step, the backlog, the goals. */
        String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "The auto-import job (parallelism 2, RocksDB, checkpoints every 10 s,"
                                    + " `changefeed.poll-interval` 1 s, deletions on) past its walk"
                                    + " of %,d small blobs (%.1f s, every path pre-existing), fed"
                                    + " change-feed events by a generator in the same JVM: every"
                                    + " %d ms, the events due at the target rate as one Avro chunk"
                                    + " per shard (2 shards). No download: 1 in %d a deletion of an"
                                    + " imported file, the others `BlobCreated` replays of the etag"
                                    + " already imported; neither asks the blob service anything"
                                    + " (the deleted blobs stay in Azurite, which deletes one blob"
                                    + " in about 15 ms; the job decides from its import record)."
                                    + " Download: `BlobCreated` of a new version (1–4 KiB), one"
                                    + " properties request and one download each. %s s per step"
                                    + " (download: %s s), after a warm-up of both kinds that is not"
                                    + " reported.%n%n",
                            blobs,
                            walkSeconds,
                            TICK_MILLIS,
                            DELETION_EVERY,
                            trim(plan.stepSeconds()),
                            trim(plan.downloadSeconds())));
            sb.append(
                    "| events | target /s | offered /s | processed /s, steady (whole step) |"
                            + " backlog max / at end |"
                            + " drained after (s) | freshness observed p50 / p99 (s) (samples) |"
                            + " fully synchronized p50 / p99 (s) (events) | JVM CPU s / 1k events"
                            + " (generator) | Azurite CPU s / 1k events |\n");
            sb.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (Step st : steps) {
                double k = st.events() / 1000.0;
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %,d | %,.0f | %,.0f (%,.0f) | %,d / %,d | %.1f | %s | %s |"
                                        + " %.3f (%.3f) | %.3f |%n",
                                st.kind(),
                                st.targetRate(),
                                st.offeredPerSecond(),
                                st.processedPerSecond(),
                                st.wholeStepPerSecond(),
                                st.maxBacklog(),
                                st.backlogAtEnd(),
                                st.drainSeconds(),
                                st.observed().format(),
                                st.synced().format(),
                                st.jvmCpuSeconds() / k,
                                st.generatorCpuSeconds() / k,
                                st.azuriteCpuSeconds() / k));
            }
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nBacklog: %,d no-download events made readable at one instant"
                                    + " (written into the next hourly segment, then"
                                    + " `lastConsumable` moved): all decided %.1f s later, **%,.0f"
                                    + " events/s** (%,.0f/s from the first decided event).%n%n",
                            backlog.events(),
                            backlog.secondsFromReadable(),
                            backlog.events() / backlog.secondsFromReadable(),
                            backlog.events() / backlog.secondsFromFirst()));
            sb.append(stateSize(blobs, checkpointBytes)).append("\n\n");
            sb.append(
                    "Offered: events published over the time the generator took (below the target"
                            + " when the generator, which shares the 2 cores, falls behind)."
                            + " Processed: events through the per-path decision operator (Flink's"
                            + " `numRecordsIn`) per second, from 2 s into the step (past the first"
                            + " poll) until the generator stopped; in parentheses, all the step's"
                            + " events over the time from its start until the last was decided. Backlog: published minus"
                            + " decided, sampled every 10 ms. Freshness is measured from the moment"
                            + " an event is readable (its chunk uploaded and `segments.json`"
                            + " rewritten) to the moment it is applied: *observed* by stat-ing a"
                            + " sample of the deleted paths (gone) and downloaded paths (new size)"
                            + " every 5 ms (less often when over 50 are pending, to keep it under"
                            + " 10,000 stats/s); *fully synchronized* for every event, replays"
                            + " included,"
                            + " as the first 10 ms sample at which the job's"
                            + " `blobSync.lastFullySynchronizedTime` passed"
                            + " it. Both include the wait for the next poll of the feed. CPU: the"
                            + " whole JVM (Flink, the job, the generator; the generator thread"
                            + " alone in parentheses) and Azurite, per 1,000 events.\n\n");
            Step atOneThousand =
                    steps.stream()
                            .filter(
                                    st ->
                                            st.kind().equals("no download")
                                                    && st.targetRate() == 1_000)
                            .findFirst()
                            .orElse(null);
            double maxRate = backlog.events() / backlog.secondsFromReadable();
            sb.append("| goal | target | measured | |\n| --- | ---: | ---: | --- |\n");
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| no-download events applied per second (backlog) | ≥ 20,000/s |"
                                    + " %,.0f/s | %s |%n",
                            maxRate,
                            maxRate >= 20_000 ? "met" : "**missed**"));
            if (atOneThousand != null) {
                double p99 = atOneThousand.observed().p99();
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| freshness p99 at 1,000 events/s (observed) | < 1 s + poll"
                                        + " interval (2 s) | %.2f s | %s |%n",
                                p99,
                                p99 < 2.0 ? "met" : "**missed**"));
            }
            sb.append('\n');
            return sb.toString();
        }

        /** Bytes of keyed state per path, from the first checkpoint after the walk. */
        static String stateSize(int paths, OptionalLong bytes) {
            if (bytes.isEmpty()) {
                return "Keyed state: no checkpoint completed after the walk (not measured).";
            }
            double perPath = bytes.getAsLong() / (double) paths;
            return String.format(
                    Locale.ROOT,
                    "Keyed state: the first checkpoint after the walk of %,d paths held %,d bytes"
                            + " (RocksDB, the whole job's state, nearly all of it the per-path"
                            + " import records): **%,.0f bytes per path**, about %,.0f GB for 1"
                            + " billion paths.",
                    paths,
                    bytes.getAsLong(),
                    perPath,
                    perPath); // bytes per path = GB per billion paths
        }

        private static String trim(double seconds) {
            return seconds == Math.rint(seconds)
                    ? Long.toString((long) seconds)
                    : Double.toString(seconds);
        }
    }

    private final ImportRunner importer;
    private final AzuriteServer azurite;
    private final BenchFeed feed;
    private final Corpus corpus;
    private final Path work;
    private final String loggingContainer;
    private final List<String> jobArgs;
    private final Consumer<String> log;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    private Corpus.Spec spec;
    private Path root;
    private JobID job;
    private List<Metric> decided;
    private List<Metric> synced;
    private List<Metric> imported;
    private long decidedBefore;
    private double walkSeconds;
    private OptionalLong checkpointBytes = OptionalLong.empty();

    /** Backlogs written so far: each goes into an hourly segment of its own, ahead of now. */
    private int backlogSegments;

    /** Indices of the blobs still to delete, to replay and (new versions) to publish. */
    private int nextDeletion;

    private int nextReplay;
    private long noDownloadEvents;
    private long publishedEvents;
    private int nextDownload;
    private String[] etags;
    private List<Corpus.Uploaded> newVersions;
    private int deletionsFrom;
    private int downloadsFrom;
    private int poolFrom;

    BlobSyncLoad(
            ImportRunner importer,
            AzuriteServer azurite,
            BenchFeed feed,
            Corpus corpus,
            Path work,
            String loggingContainer,
            List<String> jobArgs,
            Consumer<String> log) {
        this.importer = importer;
        this.azurite = azurite;
        this.feed = feed;
        this.corpus = corpus;
        this.work = work;
        this.loggingContainer = loggingContainer;
        this.jobArgs = jobArgs;
        this.log = log;
    }

    Result run(Plan plan) throws Exception {
        List<String> checks = new ArrayList<>();
        JobClient client = setUp(plan, checks);
        try {
            long decidedAtStart = ImportRunner.sum(decided);
            warmUp(plan);
            List<Step> steps = new ArrayList<>();
            for (int rate : plan.rates()) {
                steps.add(step("no download", rate, plan.stepSeconds(), false, false));
            }
            steps.add(step("download", plan.downloadRate(), plan.downloadSeconds(), true, false));
            Backlog backlog = backlog(plan.backlogEvents(), false);
            settle(decidedAtStart, checks);
            return new Result(
                    plan, spec.blobs(), walkSeconds, steps, backlog, checkpointBytes, checks);
        } finally {
            tearDown(client);
        }
    }

    /** What {@link #latency} measured: one row per backlog and delay. */
    record LatencyRuns(List<LatencySweep.Row> rows, int paths, OptionalLong checkpointBytes) {}

    /**
     * The same set-up as {@link #run} with the job reaching the blob service through {@code proxy}
     * (this instance's {@code azurite} is the view through it); after the warm-up, at each delay, a
     * backlog of no-download events and one of downloads, with the proxy's request counts and CPU.
     */
    LatencyRuns latency(
            Plan plan, BlobServiceProxy proxy, List<Integer> delaysMillis, List<String> checks)
            throws Exception {
        JobClient client = setUp(plan, checks);
        try {
            long decidedAtStart = ImportRunner.sum(decided);
            warmUp(plan);
            List<LatencySweep.Row> rows = new ArrayList<>();
            for (int delay : delaysMillis) {
                proxy.setDelay(Duration.ofMillis(delay));
                rows.add(
                        latencyRow(
                                LatencySweep.NO_DOWNLOAD_BACKLOG,
                                delay,
                                plan.backlogEvents(),
                                false,
                                proxy));
                rows.add(
                        latencyRow(
                                LatencySweep.DOWNLOAD_BACKLOG,
                                delay,
                                plan.downloadBacklogEvents(),
                                true,
                                proxy));
            }
            proxy.setDelay(Duration.ZERO);
            settle(decidedAtStart, checks);
            return new LatencyRuns(rows, spec.blobs(), checkpointBytes);
        } finally {
            proxy.setDelay(Duration.ZERO);
            tearDown(client);
        }
    }

    private LatencySweep.Row latencyRow(
            String measure, int delay, int events, boolean downloads, BlobServiceProxy proxy)
            throws Exception {
        BlobServiceProxy.Counts before = proxy.counts();
        double proxyCpu0 = proxy.cpuSeconds();
        Backlog b = backlog(events, downloads);
        double proxyCpu = proxy.cpuSeconds() - proxyCpu0;
        return new LatencySweep.Row(
                measure,
                LatencySweep.AUTO_IMPORT,
                delay,
                events,
                b.secondsFromReadable(),
                b.secondsFromFirst(),
                proxy.counts().minus(before),
                b.jvmCpuSeconds() - proxyCpu,
                proxyCpu,
                b.azuriteCpuSeconds(),
                b.observed());
    }

    /**
     * Seeds the container, writes the mirror, starts the auto-import job on it and waits until its
     * walk is over and it reads the feed, notes the first checkpoint after the walk, and rewrites
     * the blobs whose new versions will be published.
     */
    private JobClient setUp(Plan plan, List<String> checks) throws Exception {
        spec = new Corpus.Spec("blobsync", plan.blobs(), false);
        log("== blob sync under load: %,d small blobs", spec.blobs());
        Corpus.Seeded seeded = corpus.seed(spec);
        etags = seeded.etags();
        log("seeded in %.1f s", seeded.seconds());
        root = work.resolve("blobsync");
        Benchmark.deleteTree(root);
        Files.createDirectories(root);
        long mirror = System.nanoTime();
        Corpus.writeMirror(spec, root);
        log("wrote the mirror in %.1f s", (System.nanoTime() - mirror) / 1e9);
        deletionsFrom = 0;
        downloadsFrom = plan.deletions();
        poolFrom = downloadsFrom + plan.downloads();
        nextDeletion = deletionsFrom;
        nextDownload = 0;
        nextReplay = 0;

        feed.reset();
        long walkStart = System.nanoTime();
        JobClient client =
                importer.startAutoImport(
                        azurite, spec.container(), root, loggingContainer, jobArgs);
        job = client.getJobID();
        try {
            importer.awaitBlobSync(client, Duration.ofMinutes(30));
            walkSeconds = (System.nanoTime() - walkStart) / 1e9;
            long walked = System.currentTimeMillis();
            long preexisting = importer.metric(job, "fullSync.preexistingFiles");
            check(
                    checks,
                    preexisting == spec.blobs(),
                    "blob sync: the walk found %,d of %,d paths pre-existing",
                    preexisting,
                    spec.blobs());
            log("walk over, change feed read, after %.1f s", walkSeconds);
            decided = importer.metrics(job, "numRecordsIn", DECISIONS);
            synced = importer.metrics(job, "blobSync.lastFullySynchronizedTime", null);
            imported = importer.metrics(job, "blobSync.blobsImported", null);
            if (decided.isEmpty() || synced.isEmpty()) {
                throw new IllegalStateException(
                        "metrics not found: " + decided.size() + " counters, " + synced.size());
            }

            long prepared = System.nanoTime();
            List<Integer> rewritten = new ArrayList<>();
            for (int i = downloadsFrom; i < poolFrom; i++) {
                rewritten.add(i);
            }
            newVersions = corpus.rewrite(spec, rewritten, 1);
            log(
                    "rewrote %,d blobs in %.1f s (their events follow)",
                    rewritten.size(), (System.nanoTime() - prepared) / 1e9);
            // Checkpoints every 10 s: the first after the walk holds a record for every path.
            checkpointBytes = importer.checkpointStateBytes(job, walked, Duration.ofSeconds(40));
            log("%s", Result.stateSize(spec.blobs(), checkpointBytes));
            return client;
        } catch (Exception | Error e) {
            tearDown(client);
            throw e;
        }
    }

    /** Both kinds of events, not reported: the JIT compiles the feed's and the download's path. */
    private void warmUp(Plan plan) throws Exception {
        step("warm-up (not counted)", WARM_UP_RATE, plan.warmUpSeconds(), false, true);
        step("warm-up (not counted)", plan.downloadRate(), plan.warmUpSeconds() / 2, true, true);
    }

    /** Waits until the sink has carried out what was decided, then checks every outcome. */
    private void settle(long decidedAtStart, List<String> checks) throws Exception {
        // The sink carries deletions and imports out after they are decided.
        long settle = System.nanoTime() + 30_000_000_000L;
        while ((importer.metric(job, "blobSync.deletions") < nextDeletion - deletionsFrom
                        || importer.metric(job, "blobSync.blobsImported") < nextDownload)
                && System.nanoTime() < settle) {
            Thread.sleep(50);
        }
        long published = publishedEvents;
        long decidedAll = ImportRunner.sum(decided) - decidedAtStart;
        long conflicts = importer.metric(job, "blobSync.conflicts");
        check(
                checks,
                decidedAll == published && conflicts == 0,
                "blob sync: %,d events decided of %,d published, %,d conflicts",
                decidedAll,
                published,
                conflicts);
        long errors = importer.metric(job, "blobSync.errors");
        long deletions = importer.metric(job, "blobSync.deletions");
        long importedAll = importer.metric(job, "blobSync.blobsImported");
        check(
                checks,
                errors == 0
                        && deletions == nextDeletion - deletionsFrom
                        && importedAll == nextDownload,
                "blob sync: %,d deletions of %,d published, %,d imports of %,d, %d errors",
                deletions,
                nextDeletion - deletionsFrom,
                importedAll,
                nextDownload,
                errors);
        long left = 0;
        for (int i = deletionsFrom; i < nextDeletion; i++) {
            left += Files.exists(root.resolve(Corpus.smallName(i))) ? 1 : 0;
        }
        long wrongSize = 0;
        for (int k = 0; k < nextDownload; k++) {
            Corpus.Uploaded v = newVersions.get(k);
            Path p = root.resolve(v.name());
            wrongSize += Files.exists(p) && Files.size(p) == v.size() ? 0 : 1;
        }
        check(
                checks,
                left == 0 && wrongSize == 0,
                "blob sync: %,d deleted files still there, %,d downloads not in place",
                left,
                wrongSize);
    }

    private void tearDown(JobClient client) throws Exception {
        ImportRunner.cancel(client);
        Benchmark.deleteTree(root);
        azurite.serviceClient().getBlobContainerClient(spec.container()).delete();
    }

    /** Publishes events at {@code rate} for {@code seconds} and waits until they are applied. */
    private Step step(String kind, int rate, double seconds, boolean downloads, boolean warmUp)
            throws Exception {
        long total = Math.round(rate * seconds);
        int observableRate = downloads ? rate : rate / DELETION_EVERY;
        int sampleEvery = Math.max(1, observableRate / SAMPLES_PER_SECOND);
        Observer observer = new Observer();
        Sampler sampler = new Sampler();
        List<long[]> batches = new ArrayList<>(); // {readable nanos, readable wall millis, events}
        decidedBefore = ImportRunner.sum(decided);

        String recordingName = "blobsync-" + kind + "-" + rate;
        Recording recording = warmUp ? null : ImportRunner.startRecording(recordingName);
        double jvm0 = ProcStats.ownCpuSeconds();
        double az0 = azurite.cpuSeconds();
        long gen0 = threads.getCurrentThreadCpuTime();
        observer.start();
        sampler.start();
        long start = System.nanoTime();
        long sent = 0;
        long observable = 0;
        long tick = 0;
        long lastReadable = start;
        while (sent < total) {
            long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate));
            if (due > sent) {
                Instant now = Instant.now();
                List<FeedEvent> batch = new ArrayList<>((int) (due - sent));
                List<Pending> watch = new ArrayList<>();
                for (long e = sent; e < due; e++) {
                    Pending p = next(batch, now, downloads);
                    if (p != null && observable++ % sampleEvery == 0) {
                        watch.add(p);
                    }
                }
                lastReadable = feed.publish(batch);
                publishedEvents += batch.size();
                long wall = System.currentTimeMillis();
                for (Pending p : watch) {
                    observer.add(p.readableAt(lastReadable));
                }
                synchronized (batches) {
                    batches.add(new long[] {lastReadable, wall, batch.size()});
                }
                sent = due;
                sampler.published.set(sent);
            }
            long sleep = start + ++tick * TICK_MILLIS * 1_000_000 - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
        double generatorCpu = (threads.getCurrentThreadCpuTime() - gen0) / 1e9;
        double offeredSeconds = (lastReadable - start) / 1e9;
        long endBacklog = total - (ImportRunner.sum(decided) - decidedBefore);
        // The steady rate: from 2 s in (past the first poll of the feed) to the end.
        double processed = sampler.rate(start + 2_000_000_000L, lastReadable);

        long drainedAt = awaitDecided(total, Duration.ofMinutes(3));
        observer.awaitEmpty(Duration.ofSeconds(30));
        long lastWall = batches.get(batches.size() - 1)[1];
        awaitSynced(lastWall, Duration.ofSeconds(30));
        Thread.sleep(50); // a few more samples, so that the last batches find theirs
        observer.stop();
        sampler.stop();
        ImportRunner.stopRecording(recording, recordingName);
        double jvmCpu = ProcStats.ownCpuSeconds() - jvm0;
        double azCpu = azurite.cpuSeconds() - az0;

        Step step =
                new Step(
                        kind,
                        rate,
                        total,
                        offeredSeconds,
                        processed,
                        sampler.maxBacklog(),
                        endBacklog,
                        Math.max(0, (drainedAt - lastReadable) / 1e9),
                        observer.latency(),
                        sampler.syncedLatency(batches),
                        jvmCpu,
                        generatorCpu,
                        azCpu);
        log(
                "%-22s %,6d/s: offered %,8.0f/s for %.1f s, processed %,8.0f/s, backlog max %,d"
                        + " end %,d, drained %.1f s after; freshness observed %s, fully synced %s;"
                        + " CPU s: JVM %.1f (generator %.1f), Azurite %.1f",
                kind,
                rate,
                step.offeredPerSecond(),
                offeredSeconds,
                processed,
                step.maxBacklog(),
                endBacklog,
                step.drainSeconds(),
                step.observed().format(),
                step.synced().format(),
                jvmCpu,
                generatorCpu,
                azCpu);
        return step;
    }

    /**
     * The next event of a step, added to {@code batch}; returns what to observe of it, or null for
     * a replay (which changes nothing on disk).
     */
    private Pending next(List<FeedEvent> batch, Instant now, boolean downloads) {
        String container = spec.container();
        if (downloads) {
            Corpus.Uploaded v = newVersions.get(nextDownload++);
            batch.add(feed.created(container, v, now));
            return new Pending(root.resolve(v.name()), v.size(), 0);
        }
        if (noDownloadEvents++ % DELETION_EVERY == 0) {
            String name = Corpus.smallName(nextDeletion++);
            batch.add(feed.deleted(container, name, now));
            return new Pending(root.resolve(name), -1, 0);
        }
        // Replays visit the pool in a scattered order, not directory by directory.
        int pool = spec.blobs() - poolFrom;
        int i = poolFrom + (int) ((nextReplay++ * 7_919L) % pool);
        batch.add(
                feed.created(
                        container, Corpus.smallName(i), etags[i], Corpus.smallSize(0, i), now));
        return null;
    }

    /**
     * {@code events} events readable at one instant (no-download ones, or downloads): written into
     * an hourly segment ahead of now, which the SDK reads only once {@code lastConsumable} moves
     * (then all at once). Applied when all are decided (downloads: imported); freshness is observed
     * on a sample of the deleted or downloaded paths.
     */
    private Backlog backlog(int events, boolean downloads) throws Exception {
        Instant time =
                ChangeFeedWriter.segmentBegin(Instant.now())
                        .plus(Duration.ofMinutes(61 + 60L * backlogSegments++));
        int perAppend = 10_000;
        int observable = downloads ? events : events / DELETION_EVERY;
        int sampleEvery = Math.max(1, observable / BACKLOG_SAMPLES);
        List<Pending> watch = new ArrayList<>();
        long seen = 0;
        for (int from = 0; from < events; from += perAppend) {
            List<FeedEvent> batch = new ArrayList<>(perAppend);
            for (int e = from; e < Math.min(events, from + perAppend); e++) {
                Pending p = next(batch, time, downloads);
                if (p != null && seen++ % sampleEvery == 0) {
                    watch.add(p);
                }
            }
            feed.append(batch);
            publishedEvents += batch.size();
        }
        decidedBefore = ImportRunner.sum(decided);
        long importedBefore = ImportRunner.sum(imported);
        Sampler sampler = new Sampler();
        Observer observer = new Observer();
        sampler.start();
        double jvm0 = ProcStats.ownCpuSeconds();
        double az0 = azurite.cpuSeconds();
        long readable = feed.publish();
        for (Pending p : watch) {
            observer.add(p.readableAt(readable));
        }
        observer.start();
        sampler.published.set(events);
        long done = awaitDecided(events, Duration.ofMinutes(10));
        if (downloads) {
            done = awaitImported(importedBefore + events, Duration.ofMinutes(10));
        }
        double jvmCpu = ProcStats.ownCpuSeconds() - jvm0;
        double azCpu = azurite.cpuSeconds() - az0;
        sampler.stop();
        observer.awaitEmpty(Duration.ofSeconds(30));
        observer.stop();
        long first = sampler.firstDecided();
        Backlog b =
                new Backlog(
                        events,
                        (done - readable) / 1e9,
                        (done - (first > 0 ? first : readable)) / 1e9,
                        observer.latency(),
                        jvmCpu,
                        azCpu);
        log(
                "backlog of %,d %s events: applied %.1f s after readable (%,.0f/s),"
                        + " %.1f s after the first was decided (%,.0f/s); freshness observed %s;"
                        + " CPU s: JVM %.1f, Azurite %.1f",
                events,
                downloads ? "download" : "no-download",
                b.secondsFromReadable(),
                events / b.secondsFromReadable(),
                b.secondsFromFirst(),
                events / b.secondsFromFirst(),
                b.observed().format(),
                jvmCpu,
                azCpu);
        return b;
    }

    /** Waits until the sink has imported {@code total} blobs in all (feed imports). */
    private long awaitImported(long total, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (ImportRunner.sum(imported) < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the job imported "
                                + ImportRunner.sum(imported)
                                + " of "
                                + total
                                + " blobs within "
                                + patience);
            }
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    /** Waits until the decision operator has emitted {@code events} since the step began. */
    private long awaitDecided(long events, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (ImportRunner.sum(decided) - decidedBefore < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the job decided "
                                + (ImportRunner.sum(decided) - decidedBefore)
                                + " of "
                                + events
                                + " events within "
                                + patience);
            }
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    private void awaitSynced(long wallMillis, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (syncedMillis() <= wallMillis && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** {@code blobSync.lastFullySynchronizedTime} (the operations operator's: all writers'). */
    private long syncedMillis() {
        long min = Long.MAX_VALUE;
        for (Metric m : synced) {
            if (m instanceof org.apache.flink.metrics.Gauge<?> g
                    && g.getValue() instanceof Long v) {
                min = Math.min(min, v);
            }
        }
        return min;
    }

    private void log(String format, Object... args) {
        log.accept(String.format(Locale.ROOT, format, args));
    }

    private static void check(List<String> checks, boolean ok, String format, Object... args) {
        checks.add((ok ? "ok: " : "FAILED: ") + String.format(Locale.ROOT, format, args));
    }

    /** A path to watch: gone ({@code size} -1) or of the new size. */
    private record Pending(Path path, long size, long readableNanos) {
        Pending readableAt(long nanos) {
            return new Pending(path, size, nanos);
        }

        boolean inPlace() {
            try {
                return size < 0
                        ? !Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                        : Files.size(path) == size;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * Stats the watched paths every 5 ms (less often when many are pending, at most {@value
     * #STATS_PER_SECOND} stats/s) and notes when each is in place.
     */
    private static final class Observer implements Runnable {
        private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread = new Thread(this, "bench-observer");
        private volatile boolean running = true;

        void add(Pending p) {
            pending.add(p);
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            while (running) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    Pending p = it.next();
                    if (p.inPlace()) {
                        latencies.add(System.nanoTime() - p.readableNanos());
                        it.remove();
                    }
                }
                try {
                    // Every 5 ms, longer when many are pending: a stat costs CPU of the 2 cores.
                    Thread.sleep(Math.max(5, pending.size() * 1000L / STATS_PER_SECOND));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void awaitEmpty(Duration patience) throws InterruptedException {
            long deadline = System.nanoTime() + patience.toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        Latency latency() {
            List<long[]> weighted = new ArrayList<>();
            synchronized (latencies) {
                for (long l : latencies) {
                    weighted.add(new long[] {l, 1});
                }
            }
            return percentiles(weighted);
        }
    }

    /**
     * Every 10 ms: the events decided and the job's fully-synchronized time, for the backlog and
     * the fully-synchronized freshness.
     */
    private final class Sampler {
        final AtomicLong published = new AtomicLong();
        private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
        private final ScheduledExecutorService executor =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "bench-sampler");
                            t.setDaemon(true);
                            return t;
                        });

        void start() {
            executor.scheduleAtFixedRate(
                    () ->
                            samples.add(
                                    new long[] {
                                        System.nanoTime(),
                                        published.get(),
                                        ImportRunner.sum(decided) - decidedBefore,
                                        syncedMillis()
                                    }),
                    0,
                    10,
                    TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }

        long maxBacklog() {
            synchronized (samples) {
                return samples.stream().mapToLong(s -> s[1] - s[2]).max().orElse(0);
            }
        }

        /** Events decided per second between two instants (nanos), from the samples. */
        double rate(long from, long to) {
            synchronized (samples) {
                long[] a = samples.stream().filter(s -> s[0] >= from).findFirst().orElse(null);
                long[] b =
                        samples.stream().filter(s -> s[0] <= to).reduce((x, y) -> y).orElse(null);
                return a == null || b == null || b[0] <= a[0]
                        ? Double.NaN
                        : (b[2] - a[2]) / ((b[0] - a[0]) / 1e9);
            }
        }

        /** When the first event was decided, or 0. */
        long firstDecided() {
            synchronized (samples) {
                return samples.stream()
                        .filter(s -> s[2] > 0)
                        .mapToLong(s -> s[0])
                        .findFirst()
                        .orElse(0);
            }
        }

        /** Per batch: from readable until the fully-synchronized time passed it, weighted. */
        Latency syncedLatency(List<long[]> batches) {
            List<long[]> weighted = new ArrayList<>();
            List<long[]> copy;
            synchronized (samples) {
                copy = new ArrayList<>(samples);
            }
            synchronized (batches) {
                int s = 0;
                for (long[] b : batches) {
                    while (s < copy.size() && (copy.get(s)[0] < b[0] || copy.get(s)[3] <= b[1])) {
                        s++;
                    }
                    if (s == copy.size()) {
                        break; // not synchronized before sampling stopped: left out
                    }
                    weighted.add(new long[] {copy.get(s)[0] - b[0], b[2]});
                }
            }
            return percentiles(weighted);
        }
    }

    /** Percentiles of {latency nanos, weight} pairs. */
    static Latency percentiles(List<long[]> weighted) {
        if (weighted.isEmpty()) {
            return Latency.NONE;
        }
        weighted.sort(Comparator.comparingLong(w -> w[0]));
        long total = weighted.stream().mapToLong(w -> w[1]).sum();
        return new Latency(
                total,
                at(weighted, total, 0.50),
                at(weighted, total, 0.99),
                weighted.get(weighted.size() - 1)[0] / 1e9);
    }

    private static double at(List<long[]> sorted, long total, double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (long[] w : sorted) {
            seen += w[1];
            if (seen >= rank) {
                return w[0] / 1e9;
            }
        }
        return sorted.get(sorted.size() - 1)[0] / 1e9;
    }
}
