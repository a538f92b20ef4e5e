package dev.autoimport.connector.blob.changefeed.enumerator;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the single feed split to one reader.
 *
 * <p>Change-feed readers without a split ask for one when they start, with a {@link
 * ChangeFeedSplitRequest}; the first to ask while the enumerator holds the split gets it, the
 * others get nothing and stay idle (they mark themselves idle for watermarks). The split comes back
 * only through {@link #addSplitsBack} (a reader failed before a checkpoint recorded the assignment)
 * and then goes to the next change-feed reader that asks, which is the restarted one.
 *
 * <p>Assigning on request rather than on registration is what makes the source work inside a {@link
 * org.apache.flink.connector.base.source.hybrid.HybridSource}: there the readers are registered
 * long before they switch to this source, and a split pushed to a reader that has not switched yet
 * fails the job.
 *
 * <p>For the same reason a plain split request ({@link #handleSplitRequest}) never gets the split:
 * change-feed readers do not send one, so it comes from a reader on an earlier source of the hybrid
 * source, after a regional failover put the readers back to the last checkpoint but left the
 * enumerators as they were. Two cases:
 *
 * <ul>
 *   <li>The checkpoint was taken after the switch (this enumerator has taken part in a completed
 *       checkpoint, or was restored from one): every reader had finished the walk then, so the
 *       asking reader has nothing to read. It is told there are no more splits, finishes, and is
 *       switched over to the change feed.
 *   <li>The checkpoint was taken before the switch: the restored readers walk again while this
 *       enumerator stays current. Handing them the split would fail the job at every restart, and
 *       reading the feed next to an unfinished walk would let stale listings overwrite newer
 *       changes. The request fails the job globally instead ({@link ReaderBehindException}), which
 *       restores the enumerators from the same checkpoint as the readers.
 * </ul>
 */
public final class ChangeFeedSourceEnumerator
        implements SplitEnumerator<ChangeFeedSplit, ChangeFeedEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedSourceEnumerator.class);

    private final SplitEnumeratorContext<ChangeFeedSplit> context;
    @Nullable private ChangeFeedSplit unassignedSplit;

    /** The first checkpoint this enumerator took part in; -1 before the first. */
    private long firstCheckpointId = -1;

    /**
     * Whether the latest completed checkpoint has this enumerator in it: then a regional failover
     * restores every reader to a point after the walk.
     */
    private boolean inCompletedCheckpoint;

    /**
     * An enumerator that has not been checkpointed yet (a fresh start, or the switch from the
     * walk).
     *
     * @param unassignedSplit the split to hand out
     */
    public ChangeFeedSourceEnumerator(
            SplitEnumeratorContext<ChangeFeedSplit> context,
            @Nullable ChangeFeedSplit unassignedSplit) {
        this(context, unassignedSplit, false);
    }

    /**
     * @param unassignedSplit the split to hand out, or {@code null} when a restored reader already
     *     holds it
     * @param restored whether this enumerator comes from a checkpoint (or savepoint)
     */
    public ChangeFeedSourceEnumerator(
            SplitEnumeratorContext<ChangeFeedSplit> context,
            @Nullable ChangeFeedSplit unassignedSplit,
            boolean restored) {
        this.context = context;
        this.unassignedSplit = unassignedSplit;
        this.inCompletedCheckpoint = restored;
    }

    @Override
    public void start() {}

    /** Only readers of an earlier source of a hybrid source send plain split requests. */
    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        if (!inCompletedCheckpoint) {
            throw new ReaderBehindException(subtaskId);
        }
        LOG.info(
                "Subtask {} restarted on the walk, which had ended at the checkpoint it restored:"
                        + " no more splits, it switches to the change feed",
                subtaskId);
        context.signalNoMoreSplits(subtaskId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
        if (!(sourceEvent instanceof ChangeFeedSplitRequest)) {
            LOG.warn("Ignoring unexpected event {} from subtask {}", sourceEvent, subtaskId);
            return;
        }
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
        // Nothing to do: a change-feed reader without a split asks for it when it starts.
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (firstCheckpointId >= 0 && checkpointId >= firstCheckpointId) {
            inCompletedCheckpoint = true;
        }
    }

    @Override
    public ChangeFeedEnumeratorState snapshotState(long checkpointId) {
        if (firstCheckpointId < 0) {
            firstCheckpointId = checkpointId;
        }
        return new ChangeFeedEnumeratorState(unassignedSplit);
    }

    @Override
    public void close() {}

    /**
     * A reader is on an earlier source of the hybrid source than this enumerator: the readers were
     * restored from a checkpoint taken before the switch, the enumerator was not. Thrown to fail
     * the job globally.
     */
    public static final class ReaderBehindException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ReaderBehindException(int subtaskId) {
            super(
                    "subtask "
                            + subtaskId
                            + " asked for a split of a source before the change feed: a regional"
                            + " failover put the readers back to a checkpoint taken during the walk"
                            + " but left the hybrid source's enumerator on the change feed. Failing"
                            + " the job"
                            + " globally, so that the enumerator is restored from the same"
                            + " checkpoint as the readers.");
        }
    }
}
