package dev.autoimport.connector.blob.listing.enumerator;

import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans the listing's splits once and hands them to readers as they ask.
 *
 * <p>It also holds the walk's start time, which a {@code HybridSource} hands to the change-feed
 * source that follows: every change from that moment on is read from the feed, so nothing that
 * happens while the walk runs is lost. The time is taken when the enumerator is first created and
 * survives restores through its state.
 */
public final class BlobListingSourceEnumerator
        implements SplitEnumerator<BlobListingSplit, BlobListingEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(BlobListingSourceEnumerator.class);

    private final SplitEnumeratorContext<BlobListingSplit> context;
    private final BlobListingSplitPlanner planner;
    private final long walkStartMillis;
    private final Deque<BlobListingSplit> unassignedSplits;
    private boolean splitsPlanned;

    /** Readers that asked for a split before the splits were planned. */
    private final Set<Integer> readersAwaitingSplit = new LinkedHashSet<>();

    public BlobListingSourceEnumerator(
            SplitEnumeratorContext<BlobListingSplit> context,
            BlobListingSplitPlanner planner,
            BlobListingEnumeratorState state) {
        this.context = context;
        this.planner = planner;
        this.walkStartMillis = state.walkStartMillis();
        this.splitsPlanned = state.splitsPlanned();
        this.unassignedSplits = new ArrayDeque<>(state.unassignedSplits());
    }

    /**
     * When the walk began, in epoch milliseconds of the JobManager's clock: where the change feed
     * must start. The feed's event times come from the service's clock, so start it a margin
     * earlier to absorb clock skew; replaying older events is harmless.
     */
    public long getWalkStartMillis() {
        return walkStartMillis;
    }

    @Override
    public void start() {
        if (!splitsPlanned) {
            // Planning may list a whole directory level: keep it off the coordinator thread.
            context.callAsync(planner::plan, this::onSplitsPlanned);
        }
    }

    private void onSplitsPlanned(
            @Nullable List<BlobListingSplit> splits, @Nullable Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException("Could not plan the blob listing", error);
        }
        LOG.info(
                "Planned {} blob listing splits; walk started at {}",
                splits.size(),
                walkStartMillis);
        unassignedSplits.addAll(splits);
        splitsPlanned = true;
        serveAwaitingReaders();
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        readersAwaitingSplit.add(subtaskId);
        if (splitsPlanned) {
            serveAwaitingReaders();
        }
    }

    private void serveAwaitingReaders() {
        Iterator<Integer> awaiting = readersAwaitingSplit.iterator();
        while (awaiting.hasNext()) {
            int subtask = awaiting.next();
            awaiting.remove();
            // A reader that failed since it asked will ask again once it is back.
            if (!context.registeredReaders().containsKey(subtask)) {
                continue;
            }
            BlobListingSplit split = unassignedSplits.poll();
            if (split == null) {
                context.signalNoMoreSplits(subtask);
            } else {
                context.assignSplit(split, subtask);
            }
        }
    }

    @Override
    public void addSplitsBack(List<BlobListingSplit> splits, int subtaskId) {
        unassignedSplits.addAll(splits);
    }

    /** Readers ask for splits themselves; a new reader needs nothing else. */
    @Override
    public void addReader(int subtaskId) {}

    @Override
    public BlobListingEnumeratorState snapshotState(long checkpointId) {
        return new BlobListingEnumeratorState(
                walkStartMillis, splitsPlanned, List.copyOf(unassignedSplits));
    }

    @Override
    public void close() {}
}
