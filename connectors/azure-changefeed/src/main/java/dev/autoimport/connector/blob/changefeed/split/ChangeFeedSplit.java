package dev.autoimport.connector.blob.changefeed.split;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The whole change feed of one storage account as a single split, and how far it has been read.
 *
 * <p>The feed orders events per blob only, and the SDK resumes it through one cursor that spans
 * every shard, so the feed cannot be divided between readers without losing per-blob order: there
 * is exactly one split.
 *
 * <p>Before the first page has been consumed the position is the start time; afterwards it is the
 * SDK's cursor (the continuation token of the last page whose events were all emitted). The start
 * time is kept even then, because it also bounds which old events are worth emitting.
 */
public final class ChangeFeedSplit implements SourceSplit {

    /** The id of the only split. */
    public static final String SPLIT_ID = "change-feed";

    private final String splitId;
    @Nullable private final Instant startTime;
    @Nullable private final String cursor;

    public ChangeFeedSplit(String splitId, @Nullable Instant startTime, @Nullable String cursor) {
        if (startTime == null && cursor == null) {
            throw new IllegalArgumentException(
                    "a change-feed split needs a start time or a cursor");
        }
        this.splitId = Objects.requireNonNull(splitId, "splitId");
        // Checkpoints keep milliseconds; truncating moves the start earlier, never later.
        this.startTime = startTime == null ? null : startTime.truncatedTo(ChronoUnit.MILLIS);
        this.cursor = cursor;
    }

    /** A split that has not been read yet and starts at the given time. */
    public static ChangeFeedSplit startingAt(Instant startTime) {
        return new ChangeFeedSplit(SPLIT_ID, Objects.requireNonNull(startTime, "startTime"), null);
    }

    /** A split that resumes from a cursor saved earlier (from this job or another reader). */
    public static ChangeFeedSplit resumingFrom(String cursor) {
        return new ChangeFeedSplit(SPLIT_ID, null, Objects.requireNonNull(cursor, "cursor"));
    }

    /** The same split, read up to the given cursor. */
    public ChangeFeedSplit withCursor(String newCursor) {
        return new ChangeFeedSplit(splitId, startTime, Objects.requireNonNull(newCursor, "cursor"));
    }

    @Override
    public String splitId() {
        return splitId;
    }

    /** Where reading began, if the split was started from a time rather than a cursor. */
    public Optional<Instant> startTime() {
        return Optional.ofNullable(startTime);
    }

    /** The SDK cursor after the last fully emitted page; empty before the first page. */
    public Optional<String> cursor() {
        return Optional.ofNullable(cursor);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ChangeFeedSplit)) {
            return false;
        }
        ChangeFeedSplit that = (ChangeFeedSplit) o;
        return splitId.equals(that.splitId)
                && Objects.equals(startTime, that.startTime)
                && Objects.equals(cursor, that.cursor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(splitId, startTime, cursor);
    }

    @Override
    public String toString() {
        return "ChangeFeedSplit{"
                + splitId
                + (startTime == null ? "" : " startTime=" + startTime)
                + (cursor == null ? " (no cursor yet)" : " cursor=" + cursor)
                + "}";
    }
}
