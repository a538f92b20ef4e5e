package dev.autoimport.connector.blob.listing.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import dev.autoimport.connector.blob.listing.BlobPageLister;
import dev.autoimport.connector.blob.listing.TestBlobs;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BlobListingSplitPlannerTest {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final Supplier<BlobPageLister> NO_LISTING =
            () -> {
                throw new AssertionError("several prefixes must be planned without listing");
            };

    @Test
    void severalPrefixesGiveOneRecursiveSplitEach() {
        BlobListingSplitPlanner planner =
                new BlobListingSplitPlanner(List.of("a/", "b/c/", "d"), NO_LISTING);

        assertThat(planner.plan())
                .containsExactly(
                        BlobListingSplit.recursive("a/"),
                        BlobListingSplit.recursive("b/c/"),
                        BlobListingSplit.recursive("d"));
    }

    @Test
    void firstLevelGivesOneRecursiveSplitPerDirectoryAndOneForTheDirectBlobs() {
        assertThat(
                        BlobListingSplitPlanner.splitsForFirstLevel(
                                "data", List.of("data/", "data2/", "data x/")))
                .containsExactly(
                        BlobListingSplit.recursive("data/"),
                        BlobListingSplit.recursive("data2/"),
                        BlobListingSplit.recursive("data x/"),
                        BlobListingSplit.direct("data"));
    }

    @Test
    void aFirstLevelWithoutDirectoriesIsOneDirectSplit() {
        assertThat(BlobListingSplitPlanner.splitsForFirstLevel("", List.of()))
                .containsExactly(BlobListingSplit.direct(""));
    }

    @Test
    void aSinglePrefixIsCutAtItsFirstLevelOfVirtualDirectories() throws Exception {
        BlobContainerClient container = AZURITE.createContainer("planning");
        TestBlobs.upload(
                container,
                List.of(
                        new TestBlobs.Spec("data/a/1", 1, Map.of()),
                        new TestBlobs.Spec("data/b", 1, Map.of()),
                        new TestBlobs.Spec("data2/c", 1, Map.of()),
                        new TestBlobs.Spec("data.txt", 1, Map.of()),
                        new TestBlobs.Spec("data marker/", 0, Map.of()),
                        new TestBlobs.Spec("other/d", 1, Map.of())));
        // A page size of 1 makes the planner follow continuation markers.
        Supplier<BlobPageLister> lister = () -> new BlobPageLister(container, 1);

        assertThat(new BlobListingSplitPlanner(List.of("data"), lister).plan())
                .containsExactly(
                        BlobListingSplit.recursive("data marker/"),
                        BlobListingSplit.recursive("data/"),
                        BlobListingSplit.recursive("data2/"),
                        BlobListingSplit.direct("data"));
        assertThat(new BlobListingSplitPlanner(List.of(""), lister).plan())
                .containsExactly(
                        BlobListingSplit.recursive("data marker/"),
                        BlobListingSplit.recursive("data/"),
                        BlobListingSplit.recursive("data2/"),
                        BlobListingSplit.recursive("other/"),
                        BlobListingSplit.direct(""));
    }
}
