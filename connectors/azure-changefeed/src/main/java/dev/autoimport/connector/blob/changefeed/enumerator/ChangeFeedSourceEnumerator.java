package dev.autoimport.connector.blob.changefeed.enumerator;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the single feed split to one reader.
 *
 * <p>Readers without a split ask for one when they start; the first to ask while the enumerator
 * holds the split gets it, the others get nothing and stay idle (they mark themselves idle for
 * watermarks). The split comes back only through {@link #addSplitsBack} (a reader failed before a
 * checkpoint recorded the assignment) and then goes to the next reader that asks, which is the
 * restarted one.
 *
 * <p>Assigning on request rather than on registration is what makes the source work inside a {@link
 * org.apache.flink.connector.base.source.hybrid.HybridSource}: there the readers are registered
 * long before they switch to this source, and a split pushed to a reader that has not switched yet
 * fails the job.
 */
public final class ChangeFeedSourceEnumerator
        implements SplitEnumerator<ChangeFeedSplit, ChangeFeedEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedSourceEnumerator.class);

    private final SplitEnumeratorContext<ChangeFeedSplit> context;
    @Nullable private ChangeFeedSplit unassignedSplit;

    /**
     * @param unassignedSplit the split to hand out, or {@code null} when a restored reader already
     *     holds it
     */
    public ChangeFeedSourceEnumerator(
            SplitEnumeratorContext<ChangeFeedSplit> context,
            @Nullable ChangeFeedSplit unassignedSplit) {
        this.context = context;
        this.unassignedSplit = unassignedSplit;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        if (unassignedSplit == null) {
            return;
        }
        LOG.info("Assigning {} to subtask {}", unassignedSplit, subtaskId);
        context.assignSplit(unassignedSplit, subtaskId);
        unassignedSplit = null;
    }

    @Override
    public void addSplitsBack(List<ChangeFeedSplit> splits, int subtaskId) {
        if (splits.isEmpty()) {
            return;
        }
        if (splits.size() != 1 || unassignedSplit != null) {
            throw new IllegalStateException(
                    "the change feed has exactly one split, but got back "
                            + splits
                            + " while holding "
                            + unassignedSplit);
        }
        LOG.info("Change-feed split returned by failed subtask {}", subtaskId);
        unassignedSplit = splits.get(0);
    }

    @Override
    public void addReader(int subtaskId) {
        // Nothing to do: a reader without a split asks for it when it starts.
    }

    @Override
    public ChangeFeedEnumeratorState snapshotState(long checkpointId) {
        return new ChangeFeedEnumeratorState(unassignedSplit);
    }

    @Override
    public void close() {}
}
