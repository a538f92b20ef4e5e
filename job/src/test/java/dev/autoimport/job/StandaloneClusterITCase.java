package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.fasterxml.jackson.databind.JsonNode;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real Flink cluster: separate JobManager and TaskManager processes started by
 * {@code deploy/standalone/cluster.sh}, the job submitted with {@code flink run}, against Azurite.
 *
 * <ol>
 *   <li>A TaskManager running the job is killed ({@code kill -9}) during the walk, and one during
 *       blob sync while blobs change; each time the job restores from a checkpoint (REST: {@code
 *       counts.restored}) on the remaining TaskManager, a replacement is started, and the tree ends
 *       exactly equal to the container.
 *   <li>The job is stopped with a savepoint, blobs change while it is stopped, and a different
 *       build of the job (another version resource in the jar) is started from the savepoint with
 *       another parallelism: it follows the change feed from the saved cursor without a new walk
 *       and converges.
 *   <li>The cluster is stopped: no process is left.
 * </ol>
 *
 * <p>It needs the shaded job jar, so it runs in {@code mvn verify} after {@code package}; {@code
 * -Dautoimport.e2e=false} skips it. The phases and their durations are printed at the end. Waits
 * are liveness bounds only ({@link Wait}).
 */
@DisabledIfSystemProperty(
        named = "autoimport.e2e",
        matches = "false",
        disabledReason = "-Dautoimport.e2e=false skips the multi-process cluster test")
class StandaloneClusterITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    /** Kept when the test fails: the cluster's logs are in {@code cluster/log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private static StandaloneCluster cluster;

    private static final String CONTAINER = "e2e";

    /** Enough for a walk of several seconds with one write in flight per sink subtask. */
    private static final int WALK_BLOBS = 3000;

    private static final String UPGRADE_VERSION = "0.1.0-e2e-upgrade";

    private final Timeline timeline = new Timeline();

    /** What the container holds (name to content), kept in step with every change made. */
    private final Map<String, String> expected = new TreeMap<>();

    private Path root;
    private FeedFixture blobs;

    @AfterAll
    static void stopTheCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void recoversFromTaskManagerLossAndUpgradesThroughASavepoint() throws Exception {
        BlobServiceClient service = AZURITE.serviceClient();
        BlobContainerClient container = AZURITE.createContainer(CONTAINER);
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        blobs = new FeedFixture(service, container); // also creates the (empty) change feed
        seed(container);
        timeline.mark("seeded " + WALK_BLOBS + " blobs");

        root = Files.createDirectories(work.resolve("lustre"));
        cluster = new StandaloneCluster(work.resolve("cluster"));
        // The REST API's metrics are refreshed every second, not every 10 s.
        cluster.start(2, "metrics.fetcher.update-interval=1000");
        timeline.mark("cluster up: 1 JobManager, 2 TaskManagers (2 slots each)");

        Path jar = shadedJar();
        // Unaligned checkpoints, as operations.md advises for long walks: the listing fills the
        // network buffers within a second, and an aligned barrier behind them takes longer than
        // this walk, so a TaskManager killed during it would have no checkpoint to restore.
        List<String> first =
                new ArrayList<>(List.of("-D", "execution.checkpointing.unaligned.enabled=true"));
        first.addAll(jobArguments(jar, 2));
        String job = cluster.submit(first.toArray(String[]::new));
        awaitFullyRunning(job);
        timeline.mark("flink run -d: job " + job + " running, parallelism 2");

        killDuringTheWalk(job);
        killDuringBlobSync(job);
        String upgraded = upgradeThroughASavepoint(job, jar);
        addingATaskManagerThatFailsStopsOnlyIt(upgraded);
        loseTheJobManagerAndResume(upgraded);

        cluster.stop();
        timeline.mark("cluster.sh stop");
        assertThat(cluster.liveProcesses()).as("processes left after cluster.sh stop").isEmpty();
        timeline.print();
    }

    private void killDuringTheWalk(String job) throws Exception {
        // A kill before the first completed checkpoint would restart from nothing, not restore.
        Wait.until(
                "a completed checkpoint and " + WALK_BLOBS / 10 + " files written by the walk",
                () -> new WalkProgress(completedCheckpoints(job), fileCount()),
                p -> p.checkpoints > 0 && p.files >= WALK_BLOBS / 10);
        String victim = aTaskManagerOf(job);
        long restored = cluster.restoredCount(job);
        // This query starts a metric fetch round that may still be waiting on the victim when it
        // dies; the upgraded job's metrics are read later only because deploy/standalone sets a
        // short web.timeout (with Flink's 10 min default they stayed frozen past the wait).
        long listed = cluster.metric(job, "fullSync.blobsWalked").orElse(0L);
        cluster.killTaskManager(victim);
        long filesAtKill = fileCount();
        timeline.mark(
                String.format(
                        "kill -9 %s during the walk (%d of %d files written; the listing %s)",
                        victim,
                        filesAtKill,
                        WALK_BLOBS,
                        listed < WALK_BLOBS
                                ? "had emitted " + listed
                                : "had emitted all, the source had switched to the change feed"));
        assertThat(filesAtKill).as("the walk was still going").isLessThan(WALK_BLOBS);

        awaitRestoredAfter(job, restored);
        timeline.mark(restoredMessage(job, restored));
        timeline.mark("replacement " + cluster.addTaskManager() + " registered");

        awaitMirror();
        timeline.mark("walk complete: tree equals the container");
    }

    private void killDuringBlobSync(String job) throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        AtomicInteger changes = new AtomicInteger();
        Future<?> changing =
                writer.submit(
                        () -> {
                            for (int i = 0; i < 90; i++) {
                                change(i);
                                changes.incrementAndGet();
                                sleep(100);
                            }
                            return null;
                        });
        try {
            Wait.until(
                    "blob sync to write files beyond the walk's " + WALK_BLOBS,
                    this::fileCount,
                    n -> n > WALK_BLOBS + 5);
            String victim = aTaskManagerOf(job);
            long restored = cluster.restoredCount(job);
            cluster.killTaskManager(victim);
            timeline.mark(
                    "kill -9 "
                            + victim
                            + " during blob sync ("
                            + changes.get()
                            + " changes made so far)");

            awaitRestoredAfter(job, restored);
            timeline.mark(restoredMessage(job, restored));
            timeline.mark("replacement " + cluster.addTaskManager() + " registered");

            Wait.until(
                    "the test's 90 changes to be made",
                    () -> changing.isDone() ? "done" : changes.get() + " made",
                    "done"::equals);
            changing.get(); // rethrows a failed change
            timeline.mark(changes.get() + " changes made (puts, overwrites, deletions, metadata)");
        } finally {
            writer.shutdownNow();
        }
        awaitMirror();
        assertThat(TreeSnapshot.describe(root.resolve("walk/d07/f00007.txt"), false))
                .startsWith("file 0600 ");
        timeline.mark("blob sync caught up: tree equals the container");
    }

    private String upgradeThroughASavepoint(String job, Path jar) throws Exception {
        Path savepoints = Files.createDirectories(work.resolve("savepoints"));
        String savepoint = cluster.stopWithSavepoint(job, savepoints);
        Wait.until(
                "job " + job + " to be FINISHED after flink stop",
                () -> cluster.jobState(job),
                "FINISHED"::equals);
        timeline.mark("flink stop --savepointPath: " + savepoint);

        put("stopped/new.txt", "created while the job was stopped");
        put("walk/d01/f00001.txt", "changed while the job was stopped");
        delete("walk/d02/f00002.txt");
        timeline.mark("3 changes while stopped");

        Path upgrade = withVersion(jar, UPGRADE_VERSION, work.resolve("auto-import-upgrade.jar"));
        List<String> args = new ArrayList<>(List.of("-s", savepoint));
        args.addAll(jobArguments(upgrade, 3));
        String next = cluster.submit(args.toArray(String[]::new));
        awaitFullyRunning(next);
        timeline.mark("flink run -d -s: job " + next + " (" + UPGRADE_VERSION + ", parallelism 3)");

        JsonNode config = cluster.get("/jobs/" + next + "/config");
        assertThat(
                        config.at(
                                        "/execution-config/user-config/"
                                                + AutoImportVersion.JOB_PARAMETER)
                                .asText())
                .isEqualTo(UPGRADE_VERSION);
        assertThat(config.at("/execution-config/job-parallelism").asInt()).isEqualTo(3);
        assertThat(Files.readString(cluster.stateDir().resolve("log/flink-client.log")))
                .contains("auto-import " + UPGRADE_VERSION + " starting");

        awaitMirror();
        timeline.mark("upgraded job caught up: tree equals the container");

        // Resumed from the saved cursor: the listing never ran, nothing was counted as walked,
        // and the changes made while stopped came from the change feed.
        SyncCounts counts =
                Wait.until(
                        "the upgraded job's blobSync.importedFiles and blobSync.deletions over REST",
                        () ->
                                new SyncCounts(
                                        cluster.metric(next, "blobSync.importedFiles"),
                                        cluster.metric(next, "blobSync.deletions"),
                                        cluster.metricStoreFreshness()),
                        c -> c.imported.orElse(0L) > 0 && c.deletions.orElse(0L) > 0);
        assertThat(cluster.metric(next, "fullSync.blobsWalked").orElse(0L)).isZero();
        assertThat(cluster.metric(next, "fullSync.importedFiles")).contains(0L);
        assertThat(cluster.metric(next, "fullSync.preexistingFiles")).contains(0L);
        timeline.mark("upgraded job's metrics over REST: " + counts + "; fullSync.* 0");

        assertThat(expected).as("the test's model of the container").isEqualTo(containerNow());
        Path staging = root.resolve(".auto-import/staging");
        if (Files.exists(staging)) {
            // The link markers beside the staging area are meant to stay.
            try (Stream<Path> staged = Files.walk(staging)) {
                assertThat(staged.filter(Files::isRegularFile)).as("staging files left").isEmpty();
            }
        }
        timeline.mark("container read back: the test's model matches it");
        return next;
    }

    private void addingATaskManagerThatFailsStopsOnlyIt(String job) throws Exception {
        Map<String, Long> before = cluster.liveTaskManagers();
        // No time at all to register: the new TaskManager fails the wait at once.
        StandaloneCluster.Result failed =
                cluster.tryScript(
                        "cluster.sh",
                        List.of("add-taskmanager"),
                        Map.of("AUTO_IMPORT_START_TIMEOUT", "0"));
        assertThat(failed.code).as(failed.output).isEqualTo(1);
        assertThat(failed.output).contains("the rest of the cluster stays");
        assertThat(cluster.liveTaskManagers()).isEqualTo(before);
        assertThat(cluster.jobState(job)).isEqualTo("RUNNING");
        timeline.mark(
                "add-taskmanager that did not register: only its TaskManager stopped, "
                        + before.keySet()
                        + " and the job still running");
    }

    private void loseTheJobManagerAndResume(String job) throws Exception {
        Wait.until(
                "a completed checkpoint of job " + job,
                () -> completedCheckpoints(job),
                n -> n > 0);
        Map<String, Long> taskManagers = cluster.liveTaskManagers();
        cluster.killJobManager();
        long lost = System.nanoTime();
        timeline.mark("kill -9 the JobManager; TaskManagers " + taskManagers.keySet() + " left");

        StandaloneCluster.Result refused =
                cluster.tryScript("cluster.sh", List.of("start"), Map.of());
        assertThat(refused.code).as(refused.output).isEqualTo(1);
        assertThat(refused.output).contains("still run").contains("resume <job name or id>");
        assertThat(cluster.liveTaskManagers())
                .as("TaskManagers and their pid files after the refused start")
                .isEqualTo(taskManagers);
        for (String tm : taskManagers.keySet()) {
            assertThat(cluster.stateDir().resolve("tmp/" + tm)).isDirectory();
        }
        timeline.mark("cluster.sh start refused; the TaskManagers, pid files and tmp dirs stay");

        put("resumed/while-down.txt", "created while the JobManager was down");
        delete("walk/d03/f00003.txt");

        StandaloneCluster.Result resumed = cluster.resume("auto-import e2e");
        // Where resume's time goes (stopping the TaskManagers left behind, the new cluster, the
        // submission): its own lines, on the test's output.
        resumed.output
                .lines()
                .filter(l -> l.matches("(Stopping|Still running|REST API up|Job resumed|The ).*"))
                .forEach(l -> System.out.println("[e2e]   resume: " + l));
        awaitFullyRunning(resumed.jobId);
        double seconds = (System.nanoTime() - lost) / 1e9;
        String timing =
                resumed.output
                        .lines()
                        .filter(l -> l.startsWith("timings_ms resume="))
                        .findFirst()
                        .orElse("no timing");
        timeline.mark(
                String.format(
                        "cluster.sh resume \"auto-import e2e\": job %s running %.1f s after the"
                                + " JobManager was lost (%s)",
                        resumed.jobId, seconds, timing));
        JsonNode restored = cluster.get("/jobs/" + resumed.jobId + "/checkpoints");
        assertThat(restored.at("/latest/restored/external_path").asText())
                .contains("/checkpoints/" + job + "/chk-");

        awaitMirror();
        assertThat(cluster.metric(resumed.jobId, "fullSync.blobsWalked").orElse(0L)).isZero();
        timeline.mark(
                "resumed job caught up from the checkpoint (no walk): tree equals the container");
    }

    // ----------------------------------------------------------------------------------------

    private List<String> jobArguments(Path jar, int parallelism) {
        return List.of(
                jar.toString(),
                "--mode",
                "auto-import",
                "--storage.connection-string",
                AZURITE.connectionString(),
                "--storage.container",
                CONTAINER,
                "--logging.container",
                TestJobs.LOGGING_CONTAINER,
                "--lustre.root",
                root.toString(),
                "--sync.enable-deletions",
                "true",
                "--job.parallelism",
                Integer.toString(parallelism),
                "--job.checkpoint-interval",
                "1s",
                "--changefeed.poll-interval",
                "200ms",
                "--lustre.max-concurrent-writes",
                "1",
                "--job.name",
                "auto-import e2e");
    }

    /** One change of the blob-sync phase: mostly new files, some overwrites and deletions. */
    private void change(int i) {
        switch (i % 6) {
            case 0:
                put(String.format("walk/d%02d/f%05d.txt", i % 50, 100 + i), "overwritten " + i);
                break;
            case 3:
                delete(String.format("walk/d%02d/f%05d.txt", i % 50, 200 + i));
                break;
            default:
                put("sync/s" + i + ".txt", "created during blob sync " + i);
        }
        if (i == 45) {
            blobs.setMetadata("walk/d07/f00007.txt", Map.of("permissions", "0600"));
        }
    }

    private void put(String name, String content) {
        blobs.put(name, content);
        synchronized (expected) {
            expected.put(name, content);
        }
    }

    private void delete(String name) {
        blobs.delete(name);
        synchronized (expected) {
            expected.remove(name);
        }
    }

    /** Uploads the walk's blobs in parallel, without change-feed events (they predate the job). */
    private void seed(BlobContainerClient container) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> uploads = new ArrayList<>();
            for (int i = 0; i < WALK_BLOBS; i++) {
                String name = String.format("walk/d%02d/f%05d.txt", i % 50, i);
                String content = "walk " + i;
                expected.put(name, content);
                uploads.add(
                        pool.submit(
                                () ->
                                        container
                                                .getBlobClient(name)
                                                .upload(BinaryData.fromString(content), true)));
            }
            for (Future<?> f : uploads) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void awaitRestoredAfter(String job, long restoredBefore) {
        Wait.until(
                "job "
                        + job
                        + " to restore from a checkpoint (counts.restored above "
                        + restoredBefore
                        + ") and run all its subtasks again",
                () -> new Recovery(cluster.restoredCount(job), cluster.taskStates(job)),
                r -> r.restored > restoredBefore && r.states.equals("RUNNING: all"));
    }

    private void awaitFullyRunning(String job) {
        Wait.until(
                "job " + job + " and all its subtasks to be RUNNING",
                () -> cluster.taskStates(job),
                "RUNNING: all"::equals);
    }

    /** One of the TaskManagers that run a subtask of the job: the one to kill. */
    private String aTaskManagerOf(String job) throws Exception {
        List<String> running = cluster.taskManagersOf(job);
        assertThat(running).as("TaskManagers running a subtask of job %s", job).isNotEmpty();
        return running.get(0);
    }

    private long completedCheckpoints(String job) throws Exception {
        return cluster.get("/jobs/" + job + "/checkpoints").at("/counts/completed").asLong();
    }

    private String restoredMessage(String job, long restoredBefore) throws Exception {
        JsonNode checkpoints = cluster.get("/jobs/" + job + "/checkpoints");
        return String.format(
                "job running again: restored %d time(s), last from checkpoint %d",
                checkpoints.at("/counts/restored").asLong() - restoredBefore,
                checkpoints.at("/latest/restored/id").asLong());
    }

    /** Waits until the tree holds exactly the container's files, with their contents. */
    private void awaitMirror() {
        Wait.until(
                "the tree under " + root + " to equal the container",
                Wait.PATIENCE,
                Duration.ofSeconds(1),
                // A file may vanish while the tree is read: that probe fails and the next runs.
                () -> {
                    Map<String, String> want;
                    synchronized (expected) {
                        want = new TreeMap<>(expected);
                    }
                    return MirrorDifference.of(want, FeedFixture.filesUnder(root));
                },
                MirrorDifference::none);
    }

    private long fileCount() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !root.relativize(p).toString().startsWith(".auto-import"))
                    .filter(Files::isRegularFile)
                    .count();
        }
    }

    /** Every blob and its content, read from Azurite (in parallel: there are thousands). */
    private Map<String, String> containerNow() throws Exception {
        BlobContainerClient container = AZURITE.serviceClient().getBlobContainerClient(CONTAINER);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Map<String, Future<String>> reads = new TreeMap<>();
            container
                    .listBlobs()
                    .forEach(
                            b ->
                                    reads.put(
                                            b.getName(),
                                            pool.submit(
                                                    () ->
                                                            container
                                                                    .getBlobClient(b.getName())
                                                                    .downloadContent()
                                                                    .toString())));
            Map<String, String> now = new TreeMap<>();
            for (Map.Entry<String, Future<String>> e : reads.entrySet()) {
                now.put(e.getKey(), e.getValue().get());
            }
            return now;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The shaded job jar this build's {@code package} phase made: failsafe names it, so a jar of
     * another checkout or an older build is never submitted. The classes it was built from must not
     * be newer than it (they are when a run skips {@code package}).
     */
    private static Path shadedJar() throws IOException {
        Path jar =
                Path.of(
                                System.getProperty(
                                        "autoimport.job.jar",
                                        "target/auto-import-job-"
                                                + AutoImportVersion.current()
                                                + ".jar"))
                        .toAbsolutePath();
        assertThat(jar).as("the shaded job jar (run this test with mvn verify)").isRegularFile();
        Path main = jar.resolveSibling("classes/dev/autoimport/job/AutoImportJob.class");
        if (Files.isRegularFile(main)) {
            assertThat(Files.getLastModifiedTime(jar))
                    .as("%s is older than %s: rebuild it with mvn verify", jar, main)
                    .isGreaterThanOrEqualTo(Files.getLastModifiedTime(main));
        }
        return jar;
    }

    /** A copy of the job jar that is a different build: its version resource says so. */
    private static Path withVersion(Path jar, String version, Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(AutoImportVersion.RESOURCE)) {
                    out.write(("version=" + version + "\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return target;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** What the walk had done; the wait before the first kill reports it. */
    private record WalkProgress(long checkpoints, long files) {
        @Override
        public String toString() {
            return checkpoints + " completed checkpoint(s), " + files + " files written";
        }
    }

    /** A job's restores and its tasks' states, as the restore wait reports them. */
    private record Recovery(long restored, String states) {
        @Override
        public String toString() {
            return "counts.restored " + restored + ", tasks " + states;
        }
    }

    /** The upgraded job's blob-sync counters over REST, and how fresh Flink's metric store was. */
    private record SyncCounts(Optional<Long> imported, Optional<Long> deletions, String store) {
        @Override
        public String toString() {
            return String.format(
                    "blobSync.importedFiles %s, blobSync.deletions %s (%s)",
                    imported.map(String::valueOf).orElse("not registered"),
                    deletions.map(String::valueOf).orElse("not registered"),
                    store);
        }
    }

    /** How the tree differs from the container: missing, unexpected and different files. */
    private record MirrorDifference(
            int expected, List<String> missing, List<String> extra, List<String> different) {

        static MirrorDifference of(Map<String, String> want, Map<String, String> have) {
            List<String> missing = new ArrayList<>();
            List<String> different = new ArrayList<>();
            want.forEach(
                    (name, content) -> {
                        if (!have.containsKey(name)) {
                            missing.add(name);
                        } else if (!have.get(name).equals(content)) {
                            different.add(name);
                        }
                    });
            List<String> extra =
                    have.keySet().stream().filter(name -> !want.containsKey(name)).toList();
            return new MirrorDifference(want.size(), missing, extra, different);
        }

        boolean none() {
            return missing.isEmpty() && extra.isEmpty() && different.isEmpty();
        }

        @Override
        public String toString() {
            return String.format(
                    "of %d files, %d missing %s, %d not in the container %s, %d with other content"
                            + " %s",
                    expected,
                    missing.size(),
                    firstFew(missing),
                    extra.size(),
                    firstFew(extra),
                    different.size(),
                    firstFew(different));
        }

        private static List<String> firstFew(List<String> names) {
            return names.subList(0, Math.min(5, names.size()));
        }
    }

    /** Phases with their end times, printed as a table (the run's measured timings). */
    private static final class Timeline {
        private final long start = System.nanoTime();
        private long last = start;
        private final List<String> lines = new ArrayList<>();

        void mark(String what) {
            long now = System.nanoTime();
            String line =
                    String.format(
                            "%7.1f s  %+6.1f s  %s", (now - start) / 1e9, (now - last) / 1e9, what);
            last = now;
            lines.add(line);
            System.out.println("[e2e] " + line);
        }

        void print() {
            System.out.println("[e2e] timeline (since start, since previous step):");
            lines.forEach(l -> System.out.println("[e2e]   " + l));
        }
    }
}
