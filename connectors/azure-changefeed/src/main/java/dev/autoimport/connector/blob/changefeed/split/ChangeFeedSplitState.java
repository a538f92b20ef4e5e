package dev.autoimport.connector.blob.changefeed.split;

import java.util.Objects;

/**
 * The mutable reading position of the split inside a reader.
 *
 * <p>The cursor only moves when every event of a page has been handed to Flink, so a snapshot taken
 * between two records never claims events that were not emitted.
 */
public final class ChangeFeedSplitState {

    private final ChangeFeedSplit split;
    private String cursor;

    public ChangeFeedSplitState(ChangeFeedSplit split) {
        this.split = Objects.requireNonNull(split, "split");
        this.cursor = split.cursor().orElse(null);
    }

    /** Records that every event up to and including the page that ended at this cursor is out. */
    public void advanceTo(String pageCursor) {
        this.cursor = Objects.requireNonNull(pageCursor, "pageCursor");
    }

    public ChangeFeedSplit toSplit() {
        if (cursor == null || split.cursor().map(cursor::equals).orElse(false)) {
            return split;
        }
        return split.withCursor(cursor);
    }
}
