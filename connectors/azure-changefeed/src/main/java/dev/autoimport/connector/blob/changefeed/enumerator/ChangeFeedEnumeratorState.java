package dev.autoimport.connector.blob.changefeed.enumerator;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * What the enumerator checkpoints: the feed split while no reader holds it.
 *
 * <p>Once assigned, the split and its cursor live in the reader's state; the enumerator then stores
 * nothing, so a restore (also at another parallelism) never hands the split out twice.
 */
public final class ChangeFeedEnumeratorState {

    @Nullable private final ChangeFeedSplit unassignedSplit;

    public ChangeFeedEnumeratorState(@Nullable ChangeFeedSplit unassignedSplit) {
        this.unassignedSplit = unassignedSplit;
    }

    public Optional<ChangeFeedSplit> unassignedSplit() {
        return Optional.ofNullable(unassignedSplit);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeFeedEnumeratorState
                && Objects.equals(unassignedSplit, ((ChangeFeedEnumeratorState) o).unassignedSplit);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(unassignedSplit);
    }

    @Override
    public String toString() {
        return "ChangeFeedEnumeratorState{unassigned=" + unassignedSplit + "}";
    }
}
