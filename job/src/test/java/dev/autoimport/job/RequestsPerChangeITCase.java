package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.blob.testing.BlobServiceProxy;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.Counts;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.RequestKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each change costs the blob service, counted by a proxy between the job and Azurite: a
 * change-feed event of a new version is one download (its answer carries the metadata, no
 * properties request first), an event for the version already imported costs nothing, and a
 * deletion ordered by its sequencer costs nothing either (SPEC section 4).
 */
class RequestsPerChangeITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    // Generous: the proxy has been seen to hold a request of the logging container for one SDK
    // try (about 28 s); the counts do not depend on it.
    private static final Duration PATIENCE = Duration.ofSeconds(150);
    private static final int CHANGES = 20;

    @TempDir Path root;
    private BlobServiceProxy proxy;
    private FeedFixture blobs;

    @BeforeEach
    void setUp() throws Exception {
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        blobs = new FeedFixture(service, AZURITE.createContainer("requests"));
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        proxy = BlobServiceProxy.start(AZURITE.port(), 20261207L);
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void aChangedBlobCostsOneDownloadAndAKnownVersionOrADeletionNothing() throws Exception {
        for (int i = 0; i < CHANGES; i++) {
            blobs.seed("data/f" + i + ".txt", "v1 " + i);
        }
        JobClient job =
                TestJobs.start(
                        TestJobs.settings(
                                proxy.connectionString(),
                                "requests",
                                root,
                                "--sync.enable-deletions",
                                "true"),
                        null);
        try {
            JobID id = job.getJobID();
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, job, System.currentTimeMillis(), PATIENCE, "the walk and the seeds");

            Counts before = proxy.counts();
            for (int i = 0; i < CHANGES; i++) {
                blobs.put("data/f" + i + ".txt", "v2 of " + i);
            }
            awaitImported(id, CHANGES);
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, job, System.currentTimeMillis(), PATIENCE, "the new versions");
            Counts changes = proxy.counts().minus(before);
            assertThat(changes.get(RequestKind.DOWNLOAD))
                    .as("one download per changed blob: " + changes)
                    .isEqualTo(CHANGES);
            assertThat(changes.get(RequestKind.PROPERTIES))
                    .as("no properties request: " + changes)
                    .isZero();
            assertThat(Files.readString(root.resolve("data/f7.txt"))).isEqualTo("v2 of 7");

            before = proxy.counts();
            for (int i = 0; i < CHANGES; i++) {
                blobs.reannounce("data/f" + i + ".txt");
            }
            for (int i = 0; i < 5; i++) {
                blobs.delete("data/f" + i + ".txt");
            }
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, job, System.currentTimeMillis(), PATIENCE, "the repeated events");
            await().atMost(PATIENCE)
                    .until(() -> TestJobs.metric(REPORTER, id, "blobSync.deletions") == 5);
            Counts repeats = proxy.counts().minus(before);
            assertThat(repeats.get(RequestKind.DOWNLOAD) + repeats.get(RequestKind.PROPERTIES))
                    .as("known versions and ordered deletions ask nothing: " + repeats)
                    .isZero();
            assertThat(root.resolve("data/f0.txt")).doesNotExist();
            assertThat(TestJobs.metric(REPORTER, id, "blobSync.blobsImported")).isEqualTo(CHANGES);
            assertThat(TestJobs.metric(REPORTER, id, "blobSync.errors")).isZero();
        } finally {
            TestJobs.cancel(job);
        }
    }

    private static void awaitImported(JobID id, int n) {
        await().atMost(PATIENCE)
                .until(() -> TestJobs.metric(REPORTER, id, "blobSync.blobsImported") >= n);
    }
}
