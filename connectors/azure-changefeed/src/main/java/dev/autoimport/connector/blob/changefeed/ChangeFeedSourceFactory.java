package dev.autoimport.connector.blob.changefeed;

import dev.autoimport.connector.blob.BlobChange;
import java.time.Instant;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Creates the {@link ChangeFeedSource} when a {@link HybridSource} switches to it, starting at a
 * time only the previous source knows then (the moment the full walk started).
 *
 * <p>Made by {@link ChangeFeedSourceBuilder#buildStartingAtSwitch}, which has already checked every
 * other setting.
 *
 * @param <E> the previous source's enumerator
 */
public final class ChangeFeedSourceFactory<E extends SplitEnumerator<?, ?>>
        implements HybridSource.SourceFactory<BlobChange, ChangeFeedSource, E> {

    private static final long serialVersionUID = 1L;

    private final ChangeFeedSourceBuilder settings;
    private final SerializableFunction<E, Instant> startTimeFromPreviousEnumerator;

    ChangeFeedSourceFactory(
            ChangeFeedSourceBuilder settings,
            SerializableFunction<E, Instant> startTimeFromPreviousEnumerator) {
        this.settings = settings;
        this.startTimeFromPreviousEnumerator = startTimeFromPreviousEnumerator;
    }

    @Override
    public ChangeFeedSource create(HybridSource.SourceSwitchContext<E> context) {
        return createStartingAt(
                startTimeFromPreviousEnumerator.apply(context.getPreviousEnumerator()));
    }

    /** The source this factory makes for a given start time. */
    public ChangeFeedSource createStartingAt(Instant startTime) {
        if (startTime == null) {
            throw new IllegalStateException(
                    "the previous source's enumerator reported no start time for the change feed");
        }
        return settings.copy().setStartTime(startTime).build();
    }
}
