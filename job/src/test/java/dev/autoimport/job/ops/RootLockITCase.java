package dev.autoimport.job.ops;

import static dev.autoimport.job.ops.OpsFixture.LOGS;
import static dev.autoimport.job.ops.OpsFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.LeaseStateType;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.AutoImportJob;
import dev.autoimport.job.ops.OpsFixture.Gate;
import dev.autoimport.job.ops.OpsFixture.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** One job per Lustre root: the lease on the lock blob, at submission and while the job runs. */
class RootLockITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(8)
                            .build());

    private static final String CONTAINER = "lock-test";

    private static BlobContainerClient logs;

    @TempDir Path work;

    @BeforeAll
    static void seed() {
        BlobContainerClient c = AZURITE.createContainer(CONTAINER);
        logs = AZURITE.createContainer(LOGS);
        for (int i = 0; i < 5; i++) {
            upload(c, "f" + i + ".txt", "content " + i + "\n", Map.of());
        }
        upload(c, Gate.GATE_BLOB, "gate\n", Map.of());
    }

    @Test
    void aSecondJobOnTheSameRootIsRefusedWithTheHolderWhileAnotherRootStarts() throws Exception {
        Path root = Files.createDirectory(work.resolve("shared"));
        CompletableFuture<Run> first =
                OpsFixture.startHeldAtGate(
                        OpsFixture.importArgs(
                                AZURITE,
                                CONTAINER,
                                root.toString(),
                                "--job.name",
                                "first job on the shared root"));
        try {
            Run second =
                    OpsFixture.run(
                            OpsFixture.importArgs(
                                    AZURITE,
                                    CONTAINER,
                                    root.toString(),
                                    "--job.name",
                                    "second job on the shared root"));
            assertThat(second.code).as(second.toString()).isEqualTo(AutoImportJob.EXIT_ROOT_IN_USE);
            assertThat(second.err)
                    .contains("lustre.root " + root.toRealPath() + " is in use by job")
                    .contains("'first job on the shared root'")
                    .contains("on host " + RootLease.hostName())
                    .contains("job id ")
                    .contains("nothing was submitted");

            Path other = Files.createDirectory(work.resolve("other"));
            Run elsewhere =
                    OpsFixture.run(OpsFixture.importArgs(AZURITE, CONTAINER, other.toString()));
            assertThat(elsewhere.code).as(elsewhere.toString()).isZero();
            assertThat(other.resolve("f0.txt")).exists();
        } finally {
            Gate.open();
        }
        Run firstRun = first.get(60, TimeUnit.SECONDS);
        assertThat(firstRun.code).as(firstRun.toString()).isZero();
        assertThat(
                        logs.getBlobClient(
                                        LoggingContainerLayout.lockBlob(
                                                root.toRealPath().toString()))
                                .getProperties()
                                .getLeaseState())
                .as("the finished job released the root")
                .isEqualTo(LeaseStateType.AVAILABLE);
    }

    @Test
    void aRestartTakesItsOwnLeaseBackWhileAnyOtherJobIsRefused() throws Exception {
        BlobStorageConfig logging = AZURITE.storageConfig(LOGS);
        String root = Files.createDirectory(work.resolve("restarted")).toString();
        RootLease submitted = RootLease.forNewJob(logging, root, "the running job");
        submitted.acquire(null);
        try {
            // A task manager died without releasing; the restarted job carries the same lease id.
            submitted.acquire("restarted-job-id");
            submitted.renew("restarted-job-id");
            assertThat(submitted.holder())
                    .get()
                    .satisfies(
                            h -> {
                                assertThat(h.jobName).isEqualTo("the running job");
                                assertThat(h.jobId).isEqualTo("restarted-job-id");
                            });

            RootLease other = RootLease.forNewJob(logging, root, "an intruder");
            assertThatThrownBy(() -> other.acquire(null))
                    .isInstanceOf(RootLockedException.class)
                    .hasMessageContaining(
                            "in use by job 'the running job' (job id restarted-job-id)");
        } finally {
            submitted.release();
        }
        RootLease next = RootLease.forNewJob(logging, root, "the next job");
        next.acquire(null);
        next.release();
    }
}
