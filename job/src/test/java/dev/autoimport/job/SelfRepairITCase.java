package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.blob.testing.BlobServiceProxy;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.Fault;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.RequestKind;
import dev.autoimport.connector.lustre.LustreSinkMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Self-repair, as a user meets it: every download fails (503 through a proxy in front of Azurite)
 * while a blob is created, for longer than its tries in place; the job keeps it for a repair, fails
 * over in the meantime, and when the service answers again the file appears by itself, with no new
 * change of its blob, and no error counted.
 */
class SelfRepairITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster(REPORTER);

    private static final Duration PATIENCE = Duration.ofSeconds(120);

    /** Set by the test; the hook runs in the MiniCluster of this JVM. */
    private static volatile boolean failOnNextEvent;

    private static final AtomicInteger FAILOVERS = new AtomicInteger();

    @TempDir Path root;
    private BlobServiceProxy proxy;
    private FeedFixture blobs;

    @BeforeEach
    void setUp() throws Exception {
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        blobs = new FeedFixture(service, AZURITE.createContainer("repair"));
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        proxy = BlobServiceProxy.start(AZURITE.port(), 7L);
        failOnNextEvent = false;
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    @Test
    void aBlobWhoseDownloadsKeepFailingIsImportedLaterByItselfAcrossAFailover() throws Exception {
        blobs.seed("data/walked.txt", "from the walk");
        JobClient job =
                TestJobs.start(
                        TestJobs.settings(
                                proxy.connectionString(),
                                "repair",
                                root,
                                "--storage.max-tries",
                                "2",
                                "--sync.repair-delay",
                                "1s"),
                        SelfRepairITCase::failOverOnce);
        try {
            JobID id = job.getJobID();
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, job, System.currentTimeMillis(), PATIENCE, "the walk");

            proxy.injectFault(RequestKind.DOWNLOAD, Fault.UNAVAILABLE, 1.0);
            blobs.put("data/flaky.txt", "imported by a repair");
            await().atMost(PATIENCE)
                    .until(
                            () ->
                                    TestJobs.metric(REPORTER, id, LustreSinkMetrics.REPAIRS_PENDING)
                                            >= 1);
            long checkpoints = TestJobs.metric(REPORTER, id, "numberOfCompletedCheckpoints");
            await().atMost(PATIENCE)
                    .until(
                            () ->
                                    TestJobs.metric(REPORTER, id, "numberOfCompletedCheckpoints")
                                            > checkpoints);

            // A failover while the repair waits: only the checkpoint remembers it.
            failOnNextEvent = true;
            blobs.put("data/trigger.txt", "read after the failover");
            await().atMost(PATIENCE).until(() -> FAILOVERS.get() == 1);
            await().atMost(PATIENCE).until(() -> TestJobs.metric(REPORTER, id, "numRestarts") >= 1);
            assertThat(root.resolve("data/flaky.txt")).doesNotExist();

            long faults = proxy.counts().faults(Fault.UNAVAILABLE);
            proxy.clearFaults();
            await().atMost(PATIENCE).until(() -> Files.exists(root.resolve("data/flaky.txt")));
            assertThat(Files.readString(root.resolve("data/flaky.txt")))
                    .isEqualTo("imported by a repair");
            TestJobs.awaitFullySynchronizedPast(
                    REPORTER, job, System.currentTimeMillis(), PATIENCE, "the repair");
            assertThat(Files.readString(root.resolve("data/trigger.txt")))
                    .isEqualTo("read after the failover");
            assertThat(faults).as("downloads that failed").isGreaterThanOrEqualTo(8);
            assertThat(TestJobs.metric(REPORTER, id, "blobSync.errors")).isZero();
            assertThat(TestJobs.metric(REPORTER, id, LustreSinkMetrics.ACTIONS_REPAIRED))
                    .isGreaterThanOrEqualTo(1);
        } finally {
            TestJobs.cancel(job);
        }
    }

    private static BlobChange failOverOnce(BlobChange change) {
        if (failOnNextEvent && change.origin == BlobChange.Origin.CHANGE_FEED) {
            failOnNextEvent = false;
            FAILOVERS.incrementAndGet();
            throw new IllegalStateException("a failover, as the test asks");
        }
        return change;
    }
}
