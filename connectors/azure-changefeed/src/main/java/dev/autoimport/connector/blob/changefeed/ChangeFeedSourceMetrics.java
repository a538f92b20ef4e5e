package dev.autoimport.connector.blob.changefeed;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The change-feed reader's metrics, registered under {@value #GROUP} on the reader's metric group.
 *
 * <ul>
 *   <li>{@value #LAST_EVENT_CONSUMED_TIME}: event time (epoch milliseconds) of the last feed event
 *       read, whether or not it was kept; 0 before the first.
 *   <li>{@value #LAG_MILLIS}: how far reading trails the feed: now minus that event time while
 *       pages keep coming, 0 once the reader has found nothing new (caught up) and before it has
 *       read anything.
 *   <li>{@value #READ_RETRIES}: how often a read of the feed failed transiently and was started
 *       again in place (after the SDK's own retries), see {@code ChangeFeedSplitReader}.
 * </ul>
 *
 * <p>Written by the reader's task thread (the retries by its fetcher thread) and read by metric
 * reporters, hence volatile and atomic.
 */
public final class ChangeFeedSourceMetrics {

    public static final String GROUP = "blobSync";
    public static final String LAST_EVENT_CONSUMED_TIME = "lastChangeFeedEventConsumedTime";
    public static final String LAG_MILLIS = "changeFeedLagMillis";
    public static final String READ_RETRIES = "changeFeedReadRetries";

    private final Clock clock;
    private volatile long lastEventTimeMillis;
    private volatile boolean caughtUp = true;
    private final AtomicLong readRetries = new AtomicLong();

    public ChangeFeedSourceMetrics(MetricGroup readerMetricGroup, Clock clock) {
        this.clock = clock;
        MetricGroup group = readerMetricGroup.addGroup(GROUP);
        group.gauge(LAST_EVENT_CONSUMED_TIME, (Gauge<Long>) () -> lastEventTimeMillis);
        group.gauge(LAG_MILLIS, (Gauge<Long>) this::lagMillis);
        group.gauge(READ_RETRIES, (Gauge<Long>) readRetries::get);
    }

    /** A read of the feed failed transiently and is started again (on the fetcher thread). */
    public void readRetried() {
        readRetries.incrementAndGet();
    }

    long readRetries() {
        return readRetries.get();
    }

    /** A feed event with this event time was read. */
    public void eventRead(long eventTimeMillis) {
        if (eventTimeMillis > 0) {
            lastEventTimeMillis = eventTimeMillis;
            caughtUp = false;
        }
    }

    /** The reader read everything the feed had published. */
    public void caughtUp() {
        caughtUp = true;
    }

    long lagMillis() {
        long last = lastEventTimeMillis;
        if (caughtUp || last == 0) {
            return 0L;
        }
        return Math.max(0L, clock.millis() - last);
    }
}
