package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 7, upgrades keep state: the auto-import job stops with a savepoint during the blob sync,
 * blobs change while it is down, and the job restarts from the savepoint with another parallelism
 * (2 → 3, then 3 → 1). It resumes where it stopped: no new walk, every change made meanwhile
 * applied, and the tree equals a fresh import of the container.
 */
class SavepointITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    /** Without retained metrics: a stopped job's metrics go away with it. */
    private static final InMemoryReporter REPORTER = InMemoryReporter.create();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final String CONTAINER = "savepoint";

    @TempDir Path work;
    private Path root;
    private FeedFixture blobs;

    @BeforeEach
    void setUp() throws IOException {
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        blobs = new FeedFixture(service, AZURITE.createContainer(CONTAINER));
        root = Files.createDirectory(work.resolve("lustre"));
    }

    @Test
    void resumesFromASavepointAtAnotherParallelismWithoutANewWalk() throws Exception {
        for (int i = 0; i < 30; i++) {
            blobs.put(
                    "d" + (i % 3) + "/f" + i + ".txt", "v1 of " + i, Map.of("permissions", "0640"));
        }
        JobClient job = TestJobs.start(settings(2), null);
        awaitMirror();
        assertThat(metric(job, "fullSync.blobsWalked")).isEqualTo(30);

        // Changes in the blob sync, some still on their way when the job stops.
        blobs.put("d0/f0.txt", "v2 of 0, read by the first job");
        awaitMirror();
        blobs.put("d1/new-while-running.txt", "created just before the stop");
        blobs.delete("d2/f2.txt");
        String savepoint = stopWithSavepoint(job);

        // While no job runs: create, overwrite, delete, change metadata.
        blobs.put("d0/new-while-stopped.txt", "created while stopped");
        blobs.put("d1/f1.txt", "v2 of 1, overwritten while stopped");
        blobs.delete("d2/f5.txt");
        blobs.setMetadata("d0/f3.txt", Map.of("permissions", "0600"));
        long lastChange = System.currentTimeMillis();

        job = TestJobs.start(settings(3), null, restoringFrom(savepoint));
        TestJobs.awaitFullySynchronizedPast(REPORTER, job, lastChange, PATIENCE, "2 -> 3");
        assertResumedWithoutAWalk(job, "2 -> 3");
        assertThat(TreeSnapshot.describe(root.resolve("d0/f3.txt"), false))
                .as("the metadata change made while stopped")
                .startsWith("file 0600 ");
        assertThat(metric(job, "blobSync.deletions")).as("d2/f5.txt").isGreaterThanOrEqualTo(1);
        assertThat(metric(job, "blobSync.blobsImported"))
                .as("the new file, the overwrite and the metadata change, at least")
                .isGreaterThanOrEqualTo(3);

        // Once more, scaling down.
        savepoint = stopWithSavepoint(job);
        blobs.put("d2/new-while-stopped.txt", "created during the second stop");
        blobs.put("d0/new-while-stopped.txt", "overwritten during the second stop");
        blobs.delete("d1/f4.txt");
        blobs.setMetadata("d1/f7.txt", Map.of("permissions", "0644"));
        lastChange = System.currentTimeMillis();

        job = TestJobs.start(settings(1), null, restoringFrom(savepoint));
        try {
            TestJobs.awaitFullySynchronizedPast(REPORTER, job, lastChange, PATIENCE, "3 -> 1");
            assertResumedWithoutAWalk(job, "3 -> 1");
            assertThat(TreeSnapshot.describe(root.resolve("d1/f7.txt"), false))
                    .startsWith("file 0644 ");
            assertThat(metric(job, "blobSync.deletions")).as("d1/f4.txt").isGreaterThanOrEqualTo(1);
            assertThat(metric(job, "blobSync.errors") + metric(job, "blobSync.conflicts")).isZero();
        } finally {
            TestJobs.cancel(job);
        }

        Path reference = Files.createDirectory(work.resolve("fresh-import"));
        TestJobs.start(
                        TestJobs.settings(
                                AZURITE,
                                CONTAINER,
                                reference,
                                "--mode",
                                "import",
                                "--job.parallelism",
                                "1"),
                        null)
                .getJobExecutionResult()
                .get();
        assertThat(tree(root))
                .as("the resumed mirror, entry by entry, against a fresh import of the container")
                .isEqualTo(tree(reference));
        assertThat(stagingFiles()).as("no staging file left after the stops").isEmpty();
    }

    /** The restored job read no listing and applied every change the feed holds. */
    private void assertResumedWithoutAWalk(JobClient job, String hop) throws IOException {
        assertThat(metric(job, "fullSync.blobsWalked")).as("blobs walked after %s", hop).isZero();
        assertThat(metric(job, "fullSync.blobsImported") + metric(job, "fullSync.preexistingFiles"))
                .as("walk decisions after %s", hop)
                .isZero();
        assertThat(FeedFixture.filesUnder(root))
                .as("the mirror after %s", hop)
                .isEqualTo(blobs.expectedFiles());
    }

    /** Stops the job with a savepoint (no drain) and returns the savepoint's path. */
    private String stopWithSavepoint(JobClient job) throws Exception {
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                work.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        await().atMost(PATIENCE).until(() -> job.getJobStatus().get().isGloballyTerminalState());
        return savepoint;
    }

    private static Configuration restoringFrom(String savepoint) {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        return conf;
    }

    private JobSettings settings(int parallelism) {
        return TestJobs.settings(
                AZURITE,
                CONTAINER,
                root,
                "--sync.enable-deletions",
                "true",
                "--job.parallelism",
                Integer.toString(parallelism));
    }

    private void awaitMirror() {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions() // a file may vanish while the tree is read
                .untilAsserted(
                        () ->
                                assertThat(FeedFixture.filesUnder(root))
                                        .isEqualTo(blobs.expectedFiles()));
    }

    private static long metric(JobClient job, String name) {
        return TestJobs.metric(REPORTER, job.getJobID(), name);
    }

    private static Map<String, String> tree(Path dir) throws IOException {
        return TreeSnapshot.ofMirror(dir, false);
    }

    /** Under the staging area only: the link markers beside it are meant to stay. */
    private List<Path> stagingFiles() throws IOException {
        Path staging = root.resolve(".auto-import/staging");
        if (!Files.exists(staging)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(staging)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }
}
