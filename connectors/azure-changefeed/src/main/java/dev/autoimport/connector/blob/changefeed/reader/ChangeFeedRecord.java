package dev.autoimport.connector.blob.changefeed.reader;

import dev.autoimport.connector.blob.BlobChange;
import java.util.Objects;

/**
 * What the split reader hands to the task thread: kept changes, the end of each page (whose cursor
 * becomes the split's position once everything before it is emitted), and the end of everything the
 * feed had published (which turns into a watermark).
 */
public sealed interface ChangeFeedRecord
        permits ChangeFeedRecord.Change, ChangeFeedRecord.PageEnd, ChangeFeedRecord.Drained {

    /** A feed event the job needs. */
    record Change(BlobChange change) implements ChangeFeedRecord {
        public Change {
            Objects.requireNonNull(change, "change");
        }
    }

    /**
     * All events of a page were handed over, kept or not.
     *
     * @param cursor the SDK's continuation token after the page's last event
     * @param lastEventTimeMillis event time of the page's last event (0 if unknown)
     */
    record PageEnd(String cursor, long lastEventTimeMillis) implements ChangeFeedRecord {
        public PageEnd {
            Objects.requireNonNull(cursor, "cursor");
        }
    }

    /**
     * The reader has read everything the feed had published when this read began.
     *
     * @param publishedThroughMillis when the read began: every event the feed had published by then
     *     has now been handed over
     */
    record Drained(long publishedThroughMillis) implements ChangeFeedRecord {}
}
