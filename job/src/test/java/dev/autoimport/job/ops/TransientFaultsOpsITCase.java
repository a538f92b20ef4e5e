package dev.autoimport.job.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.changefeed.testing.ResettingProxy;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.SyncMetrics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walk reports and the root's lease through a proxy that resets a share of connections (before
 * the headers, after them, mid-body), with the SDK's own retries switched off so that every fault
 * reaches our code: they are retried, and the summary and the lease survive.
 */
class TransientFaultsOpsITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private ResettingProxy proxy;
    private BlobStorageConfig flaky;

    @BeforeEach
    void proxy() throws Exception {
        AZURITE.createContainer(OpsFixture.LOGS);
        proxy = new ResettingProxy(AZURITE.port(), 42L);
        flaky =
                BlobStorageConfig.ofConnectionString(
                                AZURITE.connectionString()
                                        .replace(
                                                AZURITE.blobEndpoint(),
                                                proxy.blobEndpoint(AzuriteExtension.ACCOUNT_NAME)),
                                OpsFixture.LOGS)
                        .withMaxTries(1);
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void theWalkSummaryIsReadWhileConnectionsAreReset() {
        BlobContainerClient direct =
                AZURITE.serviceClient().getBlobContainerClient(OpsFixture.LOGS);
        WalkReports writer = new WalkReports(direct);
        for (int subtask = 0; subtask < 4; subtask++) {
            writer.write(part(subtask, 100L + subtask));
        }
        proxy.resetShareOfReads(0.15);

        WalkReports reader = new WalkReports(flaky.containerClient());
        // Until the proxy has reset a few responses (seeded, about one in seven).
        for (int round = 0; round < 50 && proxy.resets() < 3; round++) {
            Optional<WalkReport> sum = reader.readSummed("faulty", "job-1");
            assertThat(sum).isPresent();
            assertThat(sum.get().count(SyncMetrics.IMPORTED_FILES)).isEqualTo(406L);
        }
        assertThat(proxy.resets()).as("connections reset").isGreaterThanOrEqualTo(3);
    }

    @Test
    void theLeaseIsTakenAndRenewedWhileConnectionsAreReset(@TempDir Path root) {
        proxy.resetShareOfReads(0.15);
        RootLease lease = RootLease.forNewJob(flaky, root.toString(), "faulty");

        lease.acquire(null);
        for (int i = 0; i < 300 && proxy.resets() < 3; i++) {
            lease.renew("job-1");
        }

        assertThat(lease.holder()).isPresent();
        assertThat(proxy.resets()).as("connections reset").isGreaterThanOrEqualTo(3);
        lease.release();
    }

    private static WalkReport part(int subtask, long files) {
        Instant now = Instant.now();
        return new WalkReport(
                "faulty",
                "job-1",
                subtask,
                4,
                1,
                true,
                now,
                now,
                Map.of(SyncMetrics.IMPORTED_FILES, files));
    }
}
