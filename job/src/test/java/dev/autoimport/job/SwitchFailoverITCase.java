package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure after the hand-over from the walk to the change feed, before any checkpoint after it.
 *
 * <p>Flink recovers a failed task by region: the tasks go back to the last checkpoint (taken during
 * the walk), but the hybrid source's enumerator is not reset and stays on the change feed. The
 * restored readers start on the listing again, ask for splits, and must neither get the change-feed
 * split (a listing reader fails the job with "Split ... while current source is 0", and then again
 * at every restart) nor be left waiting: they finish the walk they restored and switch over.
 */
class SwitchFailoverITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final Duration PATIENCE = Duration.ofSeconds(120);

    /** Thrown once, at the first change-feed record: after the switch. */
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    @TempDir Path root;

    @Test
    void aFailureAfterTheSwitchRecoversFromACheckpointTakenDuringTheWalk(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        FeedFixture blobs = new FeedFixture(service, AZURITE.createContainer("switch-failover"));
        AZURITE.createContainer(TestJobs.LOGGING_CONTAINER);
        for (int i = 0; i < 24; i++) {
            blobs.seed("walk/f" + i + ".txt", "v1 " + i);
        }

        // No periodic checkpoint: the only one is taken by hand during the walk.
        JobClient job =
                TestJobs.start(
                        TestJobs.settings(
                                AZURITE,
                                "switch-failover",
                                root,
                                "--job.checkpoint-interval",
                                "1h",
                                "--sync.enable-deletions",
                                "true"),
                        new SlowWalkThenFailOnce());
        try {
            await().atMost(PATIENCE).until(() -> Files.exists(root.resolve("walk/f0.txt")));
            cluster.triggerCheckpoint(job.getJobID()).get();
            assertThat(FAILED).as("the checkpoint was taken during the walk").isFalse();

            await().atMost(PATIENCE).untilTrue(FAILED);
            blobs.put("after/failover.txt", "written after the failover");
            // A path the checkpoint knows as imported. (For one imported after the checkpoint and
            // deleted before the re-walk lists it again, the restored state has no import record:
            // in the default conflict mode the deletion then keeps the file as a conflict.)
            blobs.delete("walk/f0.txt");

            await().atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .untilAsserted(
                            () ->
                                    assertThat(FeedFixture.filesUnder(root))
                                            .isEqualTo(blobs.expectedFiles()));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            TestJobs.cancel(job);
        }
    }

    /** Slows the walk down (so a checkpoint fits into it), then fails once after the switch. */
    static final class SlowWalkThenFailOnce implements MapFunction<BlobChange, BlobChange> {
        SlowWalkThenFailOnce() {
            FAILED.set(false);
        }

        @Override
        public BlobChange map(BlobChange change) throws Exception {
            if (change.origin == BlobChange.Origin.LISTING) {
                Thread.sleep(250);
            } else if (FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("failure injected after the switch");
            }
            return change;
        }
    }
}
