package dev.autoimport.connector.blob.changefeed.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.time.Instant;
import java.util.List;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class ChangeFeedSourceEnumeratorTest {

    private static final ChangeFeedSplit SPLIT =
            ChangeFeedSplit.startingAt(Instant.parse("2025-03-01T10:20:00Z"));

    private final TestingSplitEnumeratorContext<ChangeFeedSplit> context =
            new TestingSplitEnumeratorContext<>(3);

    @Test
    void theSplitGoesToTheFirstReaderThatAsksAndToNoOther() {
        ChangeFeedSourceEnumerator enumerator = startedWith(SPLIT);

        ask(enumerator, 2);
        ask(enumerator, 0);
        ask(enumerator, 1);

        assertThat(context.getSplitAssignments()).containsOnlyKeys(2);
        assertThat(context.getSplitAssignments().get(2).getAssignedSplits()).containsExactly(SPLIT);
        assertThat(enumerator.snapshotState(1).unassignedSplit()).isEmpty();
    }

    @Test
    void registeredReadersGetNothingUntilTheyAsk() {
        // In a HybridSource, readers are registered before they switch to this source.
        context.registerReader(0, "host");
        ChangeFeedSourceEnumerator enumerator = startedWith(SPLIT);
        enumerator.addReader(0);

        assertThat(context.getSplitAssignments()).isEmpty();
        assertThat(enumerator.snapshotState(1).unassignedSplit()).contains(SPLIT);
    }

    @Test
    void anEnumeratorRestoredWhileAReaderHoldsTheSplitAssignsNothing() {
        // Also the case after rescaling: the split travels in the readers' state.
        ChangeFeedSourceEnumerator enumerator = startedWith(null);

        ask(enumerator, 0);
        ask(enumerator, 1);

        assertThat(context.getSplitAssignments()).isEmpty();
    }

    @Test
    void aSplitReturnedByAFailedReaderGoesToTheNextReaderThatAsks() {
        ChangeFeedSourceEnumerator enumerator = startedWith(null);
        ChangeFeedSplit read = SPLIT.withCursor("{\"CursorVersion\":1}");

        enumerator.addSplitsBack(List.of(read), 1);
        assertThat(enumerator.snapshotState(5).unassignedSplit()).contains(read);
        ask(enumerator, 1);

        assertThat(context.getSplitAssignments().get(1).getAssignedSplits()).containsExactly(read);
    }

    private ChangeFeedSourceEnumerator startedWith(ChangeFeedSplit split) {
        ChangeFeedSourceEnumerator enumerator = new ChangeFeedSourceEnumerator(context, split);
        enumerator.start();
        return enumerator;
    }

    private void ask(ChangeFeedSourceEnumerator enumerator, int subtask) {
        if (!context.registeredReaders().containsKey(subtask)) {
            context.registerReader(subtask, "host-" + subtask);
        }
        enumerator.handleSplitRequest(subtask, "host-" + subtask);
    }
}
