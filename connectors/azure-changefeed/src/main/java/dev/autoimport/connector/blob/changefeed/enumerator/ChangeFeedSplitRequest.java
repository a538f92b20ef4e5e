package dev.autoimport.connector.blob.changefeed.enumerator;

import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Sent by a change-feed reader that starts without the split, instead of a plain split request.
 *
 * <p>Inside a {@link org.apache.flink.connector.base.source.hybrid.HybridSource} a plain split
 * request reaches whichever enumerator is current, also from a reader that is still on an earlier
 * source (after a regional failover the readers go back to a checkpoint, the enumerator does not).
 * This event comes only from a reader that has switched to the change feed, so only such a reader
 * gets the split.
 */
public final class ChangeFeedSplitRequest implements SourceEvent {

    private static final long serialVersionUID = 1L;

    public static final ChangeFeedSplitRequest INSTANCE = new ChangeFeedSplitRequest();

    private ChangeFeedSplitRequest() {}

    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeFeedSplitRequest;
    }

    @Override
    public int hashCode() {
        return ChangeFeedSplitRequest.class.hashCode();
    }

    @Override
    public String toString() {
        return "ChangeFeedSplitRequest";
    }
}
