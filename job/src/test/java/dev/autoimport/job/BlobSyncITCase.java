package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.lustre.LustrePaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auto-import job: the walk, the hand-over, and the change feed, on Azurite and a MiniCluster.
 */
class BlobSyncITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final AtomicInteger CONTAINERS = new AtomicInteger();

    /** Set by a test before its job starts; the hook runs in the MiniCluster of this JVM. */
    private static volatile Runnable duringWalk;

    @TempDir Path root;
    private String container;
    private FeedFixture blobs;

    @BeforeEach
    void setUp() {
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        container = "blob-sync-" + CONTAINERS.incrementAndGet();
        blobs = new FeedFixture(service, AZURITE.createContainer(container));
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        duringWalk = null;
    }

    @Test
    void changesBeforeDuringAndAfterTheWalkAllEndUpApplied() throws Exception {
        for (int i = 0; i < 40; i++) {
            blobs.seed("before/f" + i + ".txt", "v1 " + i);
        }
        duringWalk =
                () -> {
                    blobs.put("during/new.txt", "created during the walk");
                    blobs.put("before/f1.txt", "v2 changed during the walk");
                    blobs.delete("before/f2.txt");
                };
        JobClient job =
                TestJobs.start(
                        TestJobs.settings(
                                AZURITE, container, root, "--sync.enable-deletions", "true"),
                        new RunOnceOnFirstRecord());
        try {
            awaitMirrorOfContainer();
            assertThat(Files.readString(root.resolve("before/f1.txt")))
                    .isEqualTo("v2 changed during the walk");
            assertThat(root.resolve("before/f2.txt")).doesNotExist();

            blobs.put("after/a.txt", "created after the walk");
            blobs.put("before/f3.txt", "v2 changed after the walk");
            blobs.delete("before/f4.txt");
            blobs.put("before/f5.txt", "v2");
            blobs.put("before/f5.txt", "v3");
            blobs.setMetadata("before/f6.txt", Map.of("permissions", "0600"));
            awaitMirrorOfContainer();
            await().atMost(PATIENCE)
                    .untilAsserted(
                            () ->
                                    assertThat(
                                                    TreeSnapshot.describe(
                                                            root.resolve("before/f6.txt"), false))
                                            .startsWith("file 0600 "));
            assertThat(Files.readString(root.resolve("before/f5.txt"))).isEqualTo("v3");

            JobID id = job.getJobID();
            await().atMost(PATIENCE)
                    .untilAsserted(
                            () -> {
                                // f4 for sure; f2 only if the walk listed it before the hook
                                // deleted it (otherwise there was nothing to delete).
                                assertThat(metric(id, "blobSync.deletions")).isBetween(1L, 2L);
                                assertThat(metric(id, "blobSync.lastFullySynchronizedTime"))
                                        .isPositive();
                                assertThat(metric(id, "blobSync.lastChangeFeedEventConsumedTime"))
                                        .isPositive();
                            });
            assertThat(metric(id, "fullSync.blobsWalked")).isGreaterThanOrEqualTo(39);
            assertThat(metric(id, "blobSync.errors")).isZero();
        } finally {
            TestJobs.cancel(job);
        }
    }

    @Test
    void deletionsFollowTheTableOfEachMode() throws Exception {
        for (String mode : new String[] {"skip", "overwrite-if-dirty", "off"}) {
            Path modeRoot = Files.createDirectory(root.resolve(mode));
            String prefix = mode + "/";
            blobs.seed(prefix + "clean.txt", "clean");
            blobs.seed(prefix + "edited.txt", "blob");
            String[] flags =
                    mode.equals("off")
                            ? new String[] {"--import.prefixes", prefix}
                            : new String[] {
                                "--import.prefixes", prefix,
                                "--sync.enable-deletions", "true",
                                "--sync.conflict-mode", mode
                            };
            JobClient job =
                    TestJobs.start(TestJobs.settings(AZURITE, container, modeRoot, flags), null);
            try {
                await().atMost(PATIENCE)
                        .until(() -> Files.exists(modeRoot.resolve(prefix + "edited.txt")));
                Files.writeString(modeRoot.resolve(prefix + "edited.txt"), "local edit");
                blobs.delete(prefix + "clean.txt");
                blobs.delete(prefix + "edited.txt");
                blobs.put(prefix + "marker.txt", "the deletions above were read");
                await().atMost(PATIENCE)
                        .until(() -> Files.exists(modeRoot.resolve(prefix + "marker.txt")));

                // Paths are independent: the marker can land before the deletions, so wait for
                // what must happen, and check what must not once the job has decided.
                Path clean = modeRoot.resolve(prefix + "clean.txt");
                Path edited = modeRoot.resolve(prefix + "edited.txt");
                switch (mode) {
                    case "skip":
                        await().atMost(PATIENCE)
                                .alias("skip deletes a clean file")
                                .until(() -> !Files.exists(clean));
                        await().atMost(PATIENCE)
                                .alias("skip counts the edited file as a conflict")
                                .until(() -> metric(job.getJobID(), "blobSync.conflicts") == 1);
                        assertThat(edited).as("skip keeps an edited file").exists();
                        break;
                    case "overwrite-if-dirty":
                        await().atMost(PATIENCE)
                                .alias("overwrite deletes a clean and an edited file")
                                .until(() -> !Files.exists(clean) && !Files.exists(edited));
                        break;
                    default:
                        assertThat(clean).as("deletions disabled").exists();
                        assertThat(edited).exists();
                }
            } finally {
                TestJobs.cancel(job);
            }
        }
    }

    /**
     * Events overtake what they describe: one read after its blob changed again (the job fetches
     * the newer version, and the deletion in between is older than that), and a deletion decided
     * while the file's write still waits behind large downloads (decisions run ahead of the sink).
     * Either way the tree ends as the container is.
     */
    @Test
    void eventsThatOvertakeTheBlobOrTheSinkStillEndInTheContainersState() throws Exception {
        blobs.seed("seed.txt", "seed");
        JobClient job =
                TestJobs.start(
                        TestJobs.settings(
                                AZURITE,
                                container,
                                root,
                                "--sync.enable-deletions",
                                "true",
                                "--job.parallelism",
                                "1",
                                "--lustre.max-concurrent-writes",
                                "1"),
                        null);
        try {
            await().atMost(PATIENCE).until(() -> Files.exists(root.resolve("seed.txt")));
            blobs.publishTogether(
                    () -> {
                        blobs.put("churn.txt", "first");
                        blobs.delete("churn.txt");
                        blobs.put("churn.txt", "second");
                    });
            String large = "x".repeat(32 << 20);
            blobs.publishTogether(
                    () -> {
                        blobs.put("large-1.bin", large);
                        blobs.put("large-2.bin", large);
                    });
            await().atMost(PATIENCE)
                    .alias("the download of large-1.bin has begun")
                    .until(() -> stagedFiles() > 0 || Files.exists(root.resolve("large-1.bin")));
            blobs.put("queued.txt", "written after the large files");
            Thread.sleep(300); // a few polls: its creation is decided, its write queued
            blobs.delete("queued.txt");

            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, job, System.currentTimeMillis(), PATIENCE, "the changes above");
            assertThat(Files.readString(root.resolve("churn.txt"))).isEqualTo("second");
            assertThat(root.resolve("queued.txt"))
                    .as("deleted after its queued write")
                    .doesNotExist();
        } finally {
            TestJobs.cancel(job);
        }
    }

    /**
     * A second job on the same tree walks it (every path pre-existing), then reads the feed from an
     * hour before its walk: every event of the first job's life comes again, older than what the
     * walk found. Creations of versions since replaced, deletions of blobs since re-created or of
     * paths already gone, a blob created and deleted: none of them touches a file, not even to
     * rewrite it with the same bytes.
     */
    @Test
    void replayingTheFeedFromAnOlderCursorChangesNothing() throws Exception {
        for (int i = 0; i < 10; i++) {
            blobs.seed("r/f" + i + ".txt", "v1 " + i);
        }
        String[] deletions = {"--sync.enable-deletions", "true"};
        JobClient first =
                TestJobs.start(TestJobs.settings(AZURITE, container, root, deletions), null);
        try {
            awaitMirrorOfContainer();
            blobs.put("r/f1.txt", "v2");
            blobs.put("r/f2.txt", "v2");
            blobs.put("r/f2.txt", "v3");
            blobs.delete("r/f3.txt");
            blobs.delete("r/f4.txt");
            blobs.put("r/f4.txt", "back");
            blobs.put("r/gone.txt", "short-lived");
            blobs.delete("r/gone.txt");
            blobs.setMetadata("r/f5.txt", Map.of("permissions", "0600"));
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, first, System.currentTimeMillis(), PATIENCE, "the first changes");
            awaitMirrorOfContainer();
        } finally {
            TestJobs.cancel(first);
        }
        Map<String, String> tree = TreeSnapshot.ofMirror(root, true);
        Map<String, Object> inodes = inodesOfFiles();
        assertThat(tree.get("r/f5.txt")).startsWith("file 0600 ");

        JobClient second =
                TestJobs.start(TestJobs.settings(AZURITE, container, root, deletions), null);
        try {
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, second, System.currentTimeMillis(), PATIENCE, "every replayed event");
            JobID id = second.getJobID();
            assertThat(metric(id, "fullSync.preexistingFiles")).isEqualTo(9);
            assertThat(metric(id, "fullSync.blobsImported")).isZero();
            assertThat(metric(id, "blobSync.blobsImported")).as("files re-imported").isZero();
            assertThat(metric(id, "blobSync.deletions")).as("files deleted").isZero();
            assertThat(metric(id, "blobSync.conflicts")).isZero();
            assertThat(metric(id, "blobSync.errors")).isZero();
            assertThat(TreeSnapshot.ofMirror(root, true)).isEqualTo(tree);
            assertThat(inodesOfFiles()).as("no file rewritten").isEqualTo(inodes);
        } finally {
            TestJobs.cancel(second);
        }
    }

    private Map<String, Object> inodesOfFiles() throws IOException {
        Map<String, Object> inodes = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path file : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String path = root.relativize(file).toString();
                if (!path.startsWith(LustrePaths.RESERVED_NAME)) {
                    inodes.put(path, Files.getAttribute(file, "unix:ino"));
                }
            }
        }
        return inodes;
    }

    private long stagedFiles() throws IOException {
        Path staging = root.resolve(".auto-import/staging");
        if (!Files.exists(staging)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(staging)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void manyPathsInParallelKeepEachPathsOrder() throws Exception {
        blobs.seed("seed.txt", "seed");
        JobClient job = TestJobs.start(TestJobs.settings(AZURITE, container, root), null);
        try {
            await().atMost(PATIENCE).until(() -> Files.exists(root.resolve("seed.txt")));
            for (int round = 1; round <= 5; round++) {
                for (int p = 0; p < 20; p++) {
                    blobs.put("paths/p" + p + ".txt", "round " + round);
                }
            }
            awaitMirrorOfContainer();
            for (int p = 0; p < 20; p++) {
                assertThat(Files.readString(root.resolve("paths/p" + p + ".txt")))
                        .isEqualTo("round 5");
            }
        } finally {
            TestJobs.cancel(job);
        }
    }

    private void awaitMirrorOfContainer() {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions() // a blob may vanish between listing and reading it
                .untilAsserted(
                        () ->
                                assertThat(FeedFixture.filesUnder(root))
                                        .isEqualTo(blobs.expectedFiles()));
    }

    private static long metric(JobID id, String name) {
        return TestJobs.metric(REPORTER, id, name);
    }

    /** Runs {@link #duringWalk} once, when the walk emits its first blob. */
    static final class RunOnceOnFirstRecord implements MapFunction<BlobChange, BlobChange> {
        private static final AtomicBoolean DONE = new AtomicBoolean();

        RunOnceOnFirstRecord() {
            DONE.set(false);
        }

        @Override
        public BlobChange map(BlobChange change) {
            Runnable action = duringWalk;
            if (action != null
                    && change.origin == BlobChange.Origin.LISTING
                    && DONE.compareAndSet(false, true)) {
                action.run();
            }
            return change;
        }
    }
}
