package dev.autoimport.connector.blob.changefeed.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The split reader resuming from a saved cursor against a real feed in Azurite. */
class ChangeFeedSplitReaderITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final String CONTAINER = "data";
    private static final Instant TEN_TWENTY = Instant.parse("2025-03-01T10:20:00Z");
    private static final int PAGE_SIZE = 6;

    private BlobServiceClient service;
    private ChangeFeedWriter writer;

    @BeforeEach
    void feedOfTwoSegments() {
        service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        writer = new ChangeFeedWriter(service, 1, 4);
        writer.append(writer.createdEvents(CONTAINER, "a-", 30, TEN_TWENTY));
        writer.append(
                writer.createdEvents(CONTAINER, "b-", 5, Instant.parse("2025-03-01T11:30:00Z")));
        writer.publish();
    }

    @Test
    void aSavedCursorResumesWithTheRestOfItsSegment() throws Exception {
        String cursor = cursorAfterFirstPage();

        List<String> names = readToEnd(ChangeFeedSplit.resumingFrom(cursor));

        assertThat(names).hasSize(30 - PAGE_SIZE + 5).startsWith("a-6").endsWith("b-4");
    }

    @Test
    void aSavedCursorWhoseSegmentRetentionDeletedFailsTheJobForGoodNamingTheSegment()
            throws Exception {
        String cursor = cursorAfterFirstPage();
        BlobContainerClient feed = service.getBlobContainerClient(ChangeFeedWriter.FEED_CONTAINER);
        for (BlobItem item : feed.listBlobs()) {
            if (item.getName().contains("/2025/03/01/1010/")) {
                feed.getBlobClient(item.getName()).delete();
            }
        }
        assertThat(feed.listBlobs(new ListBlobsOptions().setPrefix("idx/segments/"), null))
                .extracting(BlobItem::getName)
                .containsExactly("idx/segments/2025/03/01/1110/meta.json");

        ChangeFeedSplitReader reader = reader(ChangeFeedSplit.resumingFrom(cursor));
        try {
            assertThatThrownBy(reader::fetch)
                    .isInstanceOf(SuppressRestartsException.class)
                    .rootCause()
                    .hasMessageContaining("no longer holds the saved position")
                    .hasMessageContaining("segment idx/segments/2025/03/01/1010/meta.json is gone")
                    .hasMessageContaining("retention")
                    .hasMessageContaining("start it again without the savepoint or checkpoint");
        } finally {
            reader.close();
        }
    }

    private String cursorAfterFirstPage() throws Exception {
        ChangeFeedSplitReader reader = reader(ChangeFeedSplit.startingAt(TEN_TWENTY));
        try {
            RecordsWithSplitIds<ChangeFeedRecord> page = reader.fetch();
            page.nextSplit();
            ChangeFeedRecord record;
            while ((record = page.nextRecordFromSplit()) != null) {
                if (record instanceof ChangeFeedRecord.PageEnd end) {
                    return end.cursor();
                }
            }
            throw new AssertionError("the first fetch returned no page");
        } finally {
            reader.close();
        }
    }

    /** The blob names of every change up to the first drained read. */
    private List<String> readToEnd(ChangeFeedSplit split) throws Exception {
        ChangeFeedSplitReader reader = reader(split);
        List<String> names = new ArrayList<>();
        try {
            while (true) {
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
        } finally {
            reader.close();
        }
    }

    private static ChangeFeedSplitReader reader(ChangeFeedSplit split) {
        BlobStorageConfig config = AZURITE.storageConfig(CONTAINER);
        ChangeFeedSplitReader reader =
                new ChangeFeedSplitReader(
                        config, List.of(""), Duration.ofMinutes(15), Duration.ZERO, PAGE_SIZE);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
        return reader;
    }
}
