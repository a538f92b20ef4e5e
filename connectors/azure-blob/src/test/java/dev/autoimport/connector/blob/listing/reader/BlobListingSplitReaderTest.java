package dev.autoimport.connector.blob.listing.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.listing.BlobPageLister;
import dev.autoimport.connector.blob.listing.TestBlobs;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.ListingPosition;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BlobListingSplitReaderTest {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final int PAGE_SIZE = 10;

    private static BlobContainerClient container;
    private static List<BlobChange> uploaded;

    /** d/f00 .. d/f24 directly under d/, one blob further down, and one blob outside d/. */
    @BeforeAll
    static void uploadBlobs() throws Exception {
        container = AZURITE.createContainer("reader");
        List<TestBlobs.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            Map<String, String> metadata = i % 2 == 0 ? Map.of() : Map.of("owner", "" + i);
            specs.add(new TestBlobs.Spec(String.format("d/f%02d", i), i, metadata));
        }
        specs.add(new TestBlobs.Spec("d/sub/deep", 3, Map.of("permissions", "0600")));
        specs.add(new TestBlobs.Spec("e/outside", 1, Map.of()));
        uploaded = TestBlobs.upload(container, specs);
    }

    @Test
    void listsARecursiveSplitPageByPageWithMetadataFromTheListing() {
        List<Fetch> fetches = fetchAll(BlobListingSplit.recursive("d/"));

        assertThat(fetches).hasSize(3);
        assertThat(fetches.get(2).finished).isTrue();
        List<BlobChange> listed = changes(fetches);
        assertThat(listed)
                .extracting(c -> c.blobName)
                .containsExactlyElementsOf(names(uploaded, "d/"));
        assertThat(listed)
                .map(TestBlobs::withoutListingTime)
                .containsExactlyInAnyOrderElementsOf(
                        uploaded.stream().filter(c -> c.blobName.startsWith("d/")).toList());
        assertThat(listed).allSatisfy(c -> assertThat(c.metadata).isNotNull());
        assertThat(listed).allSatisfy(c -> assertThat(c.eventTimeMillis).isPositive());
    }

    @Test
    void aDirectSplitListsOnlyTheBlobsDirectlyUnderItsPrefix() {
        List<BlobChange> listed = changes(fetchAll(BlobListingSplit.direct("d/")));

        assertThat(listed)
                .extracting(c -> c.blobName)
                .containsExactlyElementsOf(
                        IntStream.range(0, 25).mapToObj(i -> String.format("d/f%02d", i)).toList());
    }

    @Test
    void eachRecordCarriesThePositionAfterIt() {
        List<ListedBlob> records = records(fetchAll(BlobListingSplit.recursive("d/")));

        ListedBlob third = records.get(2);
        assertThat(third.positionAfter()).isEqualTo(new ListingPosition(null, 3, "d/f02"));
        ListedBlob lastOfFirstPage = records.get(PAGE_SIZE - 1);
        assertThat(lastOfFirstPage.positionAfter().emittedInPage()).isZero();
        assertThat(lastOfFirstPage.positionAfter().pageMarker()).isNotNull();
        ListedBlob lastOfAll = records.get(records.size() - 1);
        assertThat(lastOfAll.positionAfter().emittedInPage())
                .as("the end of the last page is not the start of the listing")
                .isEqualTo(records.size() - 2 * PAGE_SIZE);
    }

    @Test
    void resumesMidPageWithoutRepeatingOrLosingABlob() {
        List<ListedBlob> all = records(fetchAll(BlobListingSplit.recursive("d/")));
        for (int emitted : new int[] {3, PAGE_SIZE, PAGE_SIZE + 4, all.size() - 1}) {
            ListingPosition position = all.get(emitted - 1).positionAfter();

            List<BlobChange> resumed =
                    changes(fetchAll(BlobListingSplit.recursive("d/").at(position)));

            assertThat(resumed)
                    .as("resumed after %s blobs", emitted)
                    .extracting(c -> c.blobName)
                    .containsExactlyElementsOf(
                            all.subList(emitted, all.size()).stream()
                                    .map(r -> r.change().blobName)
                                    .toList());
        }
    }

    @Test
    void resumesByNameWhenAnEarlierBlobOfThePageWasDeletedSinceTheCheckpoint() throws Exception {
        BlobContainerClient changing = AZURITE.createContainer("reader-changing");
        List<TestBlobs.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            specs.add(new TestBlobs.Spec("b" + i, 1, Map.of()));
        }
        TestBlobs.upload(changing, specs);
        List<ListedBlob> firstPage =
                fetchAll(changing, 5, BlobListingSplit.recursive("")).get(0).records;
        ListingPosition afterB2 = firstPage.get(2).positionAfter();

        changing.getBlobClient("b0").delete();
        List<BlobChange> resumed =
                changes(fetchAll(changing, 5, BlobListingSplit.recursive("").at(afterB2)));

        assertThat(resumed)
                .extracting(c -> c.blobName)
                .containsExactly("b3", "b4", "b5", "b6", "b7");
    }

    @Test
    void countsFromTheCheckpointWhenThePageIsUnchanged() {
        List<BlobItem> page = items("a", "b", "c", "d");

        assertThat(BlobListingSplitReader.alreadyEmitted(page, new ListingPosition("m", 2, "b")))
                .isEqualTo(2);
        assertThat(BlobListingSplitReader.alreadyEmitted(page, ListingPosition.atPage("m")))
                .isZero();
    }

    @Test
    void findsTheLastEmittedBlobByNameWhenThePageShifted() {
        assertThat(
                        BlobListingSplitReader.alreadyEmitted(
                                items("b", "c", "d"), new ListingPosition("m", 2, "b")))
                .as("'a' was deleted")
                .isEqualTo(1);
        assertThat(
                        BlobListingSplitReader.alreadyEmitted(
                                items("a", "a2", "b", "c"), new ListingPosition("m", 2, "b")))
                .as("'a2' was created")
                .isEqualTo(3);
    }

    @Test
    void emitsThePageAgainWhenTheLastEmittedBlobIsGone() {
        assertThat(
                        BlobListingSplitReader.alreadyEmitted(
                                items("a", "c", "d"), new ListingPosition("m", 2, "b")))
                .isZero();
    }

    @Test
    void namesTheContainerThatDoesNotExist() {
        BlobListingSplitReader reader =
                new BlobListingSplitReader(
                        new BlobPageLister(
                                AZURITE.serviceClient().getBlobContainerClient("no-such"),
                                PAGE_SIZE));
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(BlobListingSplit.recursive(""))));

        assertThatThrownBy(reader::fetch)
                .hasMessageContaining(
                        "Container 'no-such' does not exist at " + AZURITE.blobEndpoint());
    }

    private record Fetch(List<ListedBlob> records, boolean finished) {}

    private static List<Fetch> fetchAll(BlobListingSplit split) {
        return fetchAll(container, PAGE_SIZE, split);
    }

    private static List<Fetch> fetchAll(
            BlobContainerClient client, int pageSize, BlobListingSplit split) {
        BlobListingSplitReader reader =
                new BlobListingSplitReader(new BlobPageLister(client, pageSize));
        List<Fetch> fetches = new ArrayList<>();
        Fetch fetch = fetchOnce(reader, split);
        fetches.add(fetch);
        while (!fetch.finished) {
            fetch = fetchOnce(reader, null);
            fetches.add(fetch);
        }
        return fetches;
    }

    private static Fetch fetchOnce(BlobListingSplitReader reader, BlobListingSplit newSplit) {
        if (newSplit != null) {
            reader.handleSplitsChanges(new SplitsAddition<>(List.of(newSplit)));
        }
        RecordsWithSplitIds<ListedBlob> fetched = reader.fetch();
        List<ListedBlob> records = new ArrayList<>();
        while (fetched.nextSplit() != null) {
            ListedBlob record;
            while ((record = fetched.nextRecordFromSplit()) != null) {
                records.add(record);
            }
        }
        return new Fetch(records, !fetched.finishedSplits().isEmpty());
    }

    private static List<ListedBlob> records(List<Fetch> fetches) {
        return fetches.stream().flatMap(f -> f.records.stream()).toList();
    }

    private static List<BlobChange> changes(List<Fetch> fetches) {
        return records(fetches).stream().map(ListedBlob::change).toList();
    }

    private static List<String> names(List<BlobChange> changes, String prefix) {
        return changes.stream()
                .map(c -> c.blobName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }

    private static List<BlobItem> items(String... names) {
        List<BlobItem> items = new ArrayList<>();
        for (String name : names) {
            items.add(new BlobItem().setName(name));
        }
        return items;
    }
}
