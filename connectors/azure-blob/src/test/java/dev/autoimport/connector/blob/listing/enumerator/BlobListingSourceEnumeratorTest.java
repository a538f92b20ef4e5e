package dev.autoimport.connector.blob.listing.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.blob.listing.BlobPageLister;
import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.ListingPosition;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class BlobListingSourceEnumeratorTest {

    private static final Supplier<BlobPageLister> NO_LISTING =
            () -> {
                throw new AssertionError("several prefixes must be planned without listing");
            };

    private final TestingSplitEnumeratorContext<BlobListingSplit> context =
            new TestingSplitEnumeratorContext<>(2);

    private BlobListingSourceEnumerator enumerator(BlobListingEnumeratorState state) {
        return new BlobListingSourceEnumerator(
                context, new BlobListingSplitPlanner(List.of("a/", "b/", "c/"), NO_LISTING), state);
    }

    @Test
    void servesRequestsMadeBeforePlanningOncePlanned() {
        BlobListingSourceEnumerator enumerator =
                enumerator(BlobListingEnumeratorState.newWalk(1000L));
        context.registerReader(0, "host");
        context.registerReader(1, "host");
        enumerator.start();
        enumerator.handleSplitRequest(0, "host");
        enumerator.handleSplitRequest(1, "host");
        assertThat(context.getSplitAssignments()).isEmpty();

        context.triggerAllActions();

        assertThat(context.getSplitAssignments().get(0).getAssignedSplits())
                .containsExactly(BlobListingSplit.recursive("a/"));
        assertThat(context.getSplitAssignments().get(1).getAssignedSplits())
                .containsExactly(BlobListingSplit.recursive("b/"));
    }

    @Test
    void signalsNoMoreSplitsOnceEverySplitIsTaken() {
        BlobListingSourceEnumerator enumerator =
                enumerator(BlobListingEnumeratorState.newWalk(1000L));
        context.registerReader(0, "host");
        enumerator.start();
        context.triggerAllActions();

        for (int i = 0; i < 4; i++) {
            enumerator.handleSplitRequest(0, "host");
        }

        assertThat(context.getSplitAssignments().get(0).getAssignedSplits())
                .containsExactly(
                        BlobListingSplit.recursive("a/"),
                        BlobListingSplit.recursive("b/"),
                        BlobListingSplit.recursive("c/"));
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
    }

    @Test
    void aRestoreKeepsTheWalkStartAndTheUntakenSplits() {
        BlobListingSourceEnumerator first = enumerator(BlobListingEnumeratorState.newWalk(1234L));
        context.registerReader(0, "host");
        first.start();
        context.triggerAllActions();
        first.handleSplitRequest(0, "host");

        BlobListingEnumeratorState checkpoint = first.snapshotState(1L);
        BlobListingSourceEnumerator restored = enumerator(checkpoint);
        restored.start();

        assertThat(restored.getWalkStartMillis()).isEqualTo(1234L);
        assertThat(checkpoint.splitsPlanned()).isTrue();
        assertThat(checkpoint.unassignedSplits())
                .containsExactly(
                        BlobListingSplit.recursive("b/"), BlobListingSplit.recursive("c/"));
    }

    @Test
    void splitsAddedBackAreHandedOutAgainWithTheirPosition() {
        BlobListingSourceEnumerator enumerator =
                enumerator(BlobListingEnumeratorState.newWalk(1000L));
        context.registerReader(0, "host");
        enumerator.start();
        context.triggerAllActions();
        for (int i = 0; i < 3; i++) {
            enumerator.handleSplitRequest(0, "host");
        }
        BlobListingSplit returned =
                BlobListingSplit.recursive("b/").at(new ListingPosition("!p", 4, "b/4"));

        enumerator.addSplitsBack(List.of(returned), 0);
        enumerator.handleSplitRequest(0, "host");

        assertThat(context.getSplitAssignments().get(0).getAssignedSplits()).endsWith(returned);
        assertThat(enumerator.snapshotState(2L).unassignedSplits()).isEmpty();
    }

    @Test
    void aReaderThatLeftBeforePlanningGetsNothing() {
        BlobListingSourceEnumerator enumerator =
                enumerator(BlobListingEnumeratorState.newWalk(1000L));
        enumerator.start();
        enumerator.handleSplitRequest(1, "host");

        context.triggerAllActions();

        assertThat(context.getSplitAssignments()).isEmpty();
        assertThat(enumerator.snapshotState(1L).unassignedSplits()).hasSize(3);
    }
}
