package dev.autoimport.connector.blob.listing.enumerator;

import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import java.util.List;

/**
 * What the enumerator must survive a restore with. Splits already handed to readers live in the
 * readers' state, not here.
 *
 * @param walkStartMillis when the walk began (epoch millis), the change feed's start position
 * @param splitsPlanned whether the splits were planned; until then a restore plans them again
 * @param unassignedSplits planned splits no reader has taken yet
 */
public record BlobListingEnumeratorState(
        long walkStartMillis, boolean splitsPlanned, List<BlobListingSplit> unassignedSplits) {

    public BlobListingEnumeratorState {
        unassignedSplits = List.copyOf(unassignedSplits);
    }

    /** A walk that starts at {@code walkStartMillis} and has planned nothing yet. */
    public static BlobListingEnumeratorState newWalk(long walkStartMillis) {
        return new BlobListingEnumeratorState(walkStartMillis, false, List.of());
    }
}
