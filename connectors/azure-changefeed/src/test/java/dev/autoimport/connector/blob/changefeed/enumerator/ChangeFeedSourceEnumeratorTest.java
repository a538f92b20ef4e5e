package dev.autoimport.connector.blob.changefeed.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;
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

    @Test
    void aPlainSplitRequestBeforeAnyCheckpointWithThisEnumeratorFailsTheJobGlobally() {
        // A listing reader restored from a checkpoint taken during the walk, behind this
        // enumerator (regional failover): the source coordinator turns the exception into a global
        // failover, which restores the enumerator from the readers' checkpoint.
        ChangeFeedSourceEnumerator enumerator = startedWith(SPLIT);
        context.registerReader(0, "host-0");
        enumerator.snapshotState(7);
        enumerator.notifyCheckpointComplete(6); // triggered before the switch, completed after

        assertThatThrownBy(() -> enumerator.handleSplitRequest(0, "host-0"))
                .isInstanceOf(ChangeFeedSourceEnumerator.ReaderBehindException.class)
                .hasMessageContaining("subtask 0")
                .hasMessageContaining("globally");

        assertThat(context.getSplitAssignments()).isEmpty();
        assertThat(enumerator.snapshotState(8).unassignedSplit()).contains(SPLIT);
    }

    @Test
    void aPlainSplitRequestAfterACheckpointWithThisEnumeratorGetsNoMoreSplits() {
        // Every reader had finished the walk at that checkpoint: the asking reader is an empty
        // listing reader that only has to finish and switch over.
        ChangeFeedSourceEnumerator enumerator = startedWith(SPLIT);
        context.registerReader(0, "host-0");
        enumerator.snapshotState(7);
        enumerator.notifyCheckpointComplete(7);

        enumerator.handleSplitRequest(0, "host-0");

        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
        assertThat(context.getSplitAssignments().get(0).getAssignedSplits()).isEmpty();
        ask(enumerator, 0); // the same subtask once it has switched to the change feed
        assertThat(context.getSplitAssignments().get(0).getAssignedSplits()).containsExactly(SPLIT);
    }

    @Test
    void aRestoredEnumeratorAnswersAPlainSplitRequestWithNoMoreSplits() {
        ChangeFeedSourceEnumerator enumerator = new ChangeFeedSourceEnumerator(context, null, true);
        enumerator.start();
        context.registerReader(2, "host-2");

        enumerator.handleSplitRequest(2, "host-2");

        assertThat(context.getSplitAssignments().get(2).hasReceivedNoMoreSplitsSignal()).isTrue();
    }

    @Test
    void otherEventsAreIgnored() {
        ChangeFeedSourceEnumerator enumerator = startedWith(SPLIT);
        context.registerReader(1, "host-1");

        enumerator.handleSourceEvent(1, new SourceEvent() {});

        assertThat(context.getSplitAssignments()).isEmpty();
        assertThat(enumerator.snapshotState(1).unassignedSplit()).contains(SPLIT);
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
        enumerator.handleSourceEvent(subtask, ChangeFeedSplitRequest.INSTANCE);
    }
}
