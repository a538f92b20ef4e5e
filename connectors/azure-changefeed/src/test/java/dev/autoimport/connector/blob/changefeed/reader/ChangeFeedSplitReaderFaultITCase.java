package dev.autoimport.connector.blob.changefeed.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.ResettingProxy;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The split reader against a real feed in Azurite behind a proxy that resets connections: a
 * transient fault the SDK's retries do not absorb is retried in place from the last page's cursor,
 * never failing the source, and no event is lost or emitted twice; a permanent fault still fails.
 */
class ChangeFeedSplitReaderFaultITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final String CONTAINER = "data";
    private static final Instant TEN_TWENTY = Instant.parse("2025-03-01T10:20:00Z");
    private static final int PAGE_SIZE = 10;

    private ResettingProxy proxy;
    private final AtomicInteger retries = new AtomicInteger();

    @BeforeEach
    void feedOfTwoSegmentsBehindAProxy() throws IOException {
        BlobServiceClient service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 2, 6);
        writer.append(writer.createdEvents(CONTAINER, "a-", 120, TEN_TWENTY));
        writer.append(
                writer.createdEvents(CONTAINER, "b-", 40, Instant.parse("2025-03-01T11:30:00Z")));
        writer.publish();
        proxy = new ResettingProxy(AZURITE.port(), 20261207L);
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @Test
    void anOutageLongerThanTheSdksRetriesIsRiddenOutInPlace() throws Exception {
        List<String> expected = readAll(direct());
        List<String> names = new ArrayList<>();
        String cursor;
        ChangeFeedSplitReader first = reader(direct(), ChangeFeedSplit.startingAt(TEN_TWENTY));
        try {
            cursor = firstPage(first.fetch(), names);
        } finally {
            first.close();
        }
        assertThat(names).hasSize(PAGE_SIZE);

        proxy.refuseAll(true);
        Thread healer =
                new Thread(
                        () -> {
                            sleep(4_000);
                            proxy.refuseAll(false);
                        });
        healer.start();
        // Two tries 0.5 s apart: the SDK gives up long before the 4 s outage ends, and the
        // resumed read needs the service at once (segments.json, the cursor's segment).
        ChangeFeedSplitReader resumed =
                reader(throughProxy().withMaxTries(2), ChangeFeedSplit.resumingFrom(cursor));
        try {
            names.addAll(readToEnd(resumed));
        } finally {
            resumed.close();
            healer.join();
        }

        assertThat(names).containsExactlyElementsOf(expected);
        assertThat(retries.get()).as("in-place retries").isPositive();
        assertThat(proxy.resets()).isPositive();
    }

    @Test
    void connectionsResetMidResponseAreRetriedFromTheLastPageWithoutLossOrRepeats()
            throws Exception {
        List<String> expected = readAll(direct());
        // No SDK retries: every reset reaches the reader (before the headers, after, mid-chunk).
        proxy.resetShareOfConnections(0.3, 6_000);

        List<String> names = readAll(throughProxy().withMaxTries(1));

        assertThat(names).hasSize(160).containsExactlyElementsOf(expected);
        assertThat(proxy.resets()).as("connections reset by the proxy").isPositive();
        assertThat(retries.get()).as("in-place retries").isPositive();
    }

    @Test
    void aPermanentFailureStillFailsTheSourceNamingIt() {
        BlobStorageConfig wrongKey =
                BlobStorageConfig.ofConnectionString(
                        AZURITE.connectionString()
                                .replace(AzuriteExtension.ACCOUNT_KEY, "bm90IHRoZSBrZXk="),
                        CONTAINER);
        ChangeFeedSplitReader reader = reader(wrongKey.withMaxTries(1));
        try {
            assertThatThrownBy(reader::fetch)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("not a transient fault")
                    .hasMessageContaining("the credential must be allowed to read");
        } finally {
            reader.close();
        }
        assertThat(retries.get()).isZero();
    }

    private BlobStorageConfig direct() {
        return AZURITE.storageConfig(CONTAINER);
    }

    private BlobStorageConfig throughProxy() {
        return BlobStorageConfig.ofConnectionString(
                AZURITE.connectionString()
                        .replace(
                                AZURITE.blobEndpoint(),
                                proxy.blobEndpoint(AzuriteExtension.ACCOUNT_NAME)),
                CONTAINER);
    }

    private List<String> readAll(BlobStorageConfig config) throws Exception {
        ChangeFeedSplitReader reader = reader(config);
        try {
            return readToEnd(reader);
        } finally {
            reader.close();
        }
    }

    /** The blob names of every change up to the first drained read; fails after 3 minutes. */
    private static List<String> readToEnd(ChangeFeedSplitReader reader) throws Exception {
        List<String> names = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            RecordsWithSplitIds<ChangeFeedRecord> records = reader.fetch();
            while (records.nextSplit() != null) {
                ChangeFeedRecord record;
                while ((record = records.nextRecordFromSplit()) != null) {
                    if (record instanceof ChangeFeedRecord.Change change) {
                        names.add(change.change().blobName);
                    } else if (record instanceof ChangeFeedRecord.Drained) {
                        return names;
                    }
                }
            }
        }
        throw new AssertionError("not drained within 3 minutes; read so far: " + names.size());
    }

    /** Adds the page's blob names to {@code names}; returns the page's cursor. */
    private static String firstPage(
            RecordsWithSplitIds<ChangeFeedRecord> records, List<String> names) {
        while (records.nextSplit() != null) {
            ChangeFeedRecord record;
            while ((record = records.nextRecordFromSplit()) != null) {
                if (record instanceof ChangeFeedRecord.Change change) {
                    names.add(change.change().blobName);
                } else if (record instanceof ChangeFeedRecord.PageEnd end) {
                    return end.cursor();
                }
            }
        }
        throw new AssertionError("the first fetch returned no page");
    }

    private ChangeFeedSplitReader reader(BlobStorageConfig config) {
        return reader(config, ChangeFeedSplit.startingAt(TEN_TWENTY));
    }

    private ChangeFeedSplitReader reader(BlobStorageConfig config, ChangeFeedSplit split) {
        ChangeFeedSplitReader reader =
                new ChangeFeedSplitReader(
                        config,
                        List.of(""),
                        Duration.ofMinutes(15),
                        Duration.ZERO,
                        PAGE_SIZE,
                        retries::incrementAndGet);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
        return reader;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
