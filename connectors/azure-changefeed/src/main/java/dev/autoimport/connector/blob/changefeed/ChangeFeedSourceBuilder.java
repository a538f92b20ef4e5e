package dev.autoimport.connector.blob.changefeed;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import dev.autoimport.connector.blob.BlobStorageConfig;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Builds a {@link ChangeFeedSource}.
 *
 * <pre>{@code
 * ChangeFeedSource source = ChangeFeedSource.builder()
 *         .setStorageConfig(config)              // required: account, credential, container
 *         .setPrefixes(List.of("data/"))         // default: every name
 *         .setStartTime(walkStartedAt)           // or setStartCursor(savedCursor)
 *         .build();
 * }</pre>
 *
 * <p>Setters reject bad values at once; {@link #build()} checks that the settings fit together.
 * Serializable, so that {@link #buildStartingAtSwitch} can carry it to the switch.
 */
public final class ChangeFeedSourceBuilder implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The SDK never returns larger pages. */
    public static final int MAX_PAGE_SIZE = 5000;

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;
    public static final Duration DEFAULT_CLOCK_SKEW_TOLERANCE = Duration.ofMinutes(15);

    private BlobStorageConfig storageConfig;
    private List<String> prefixes = List.of("");
    private Instant startTime;
    private String startCursor;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int pageSize = DEFAULT_PAGE_SIZE;
    private Duration clockSkewTolerance = DEFAULT_CLOCK_SKEW_TOLERANCE;

    ChangeFeedSourceBuilder() {}

    /** The account to read the feed of, and the container whose blobs to keep. Required. */
    public ChangeFeedSourceBuilder setStorageConfig(BlobStorageConfig storageConfig) {
        this.storageConfig = Objects.requireNonNull(storageConfig, "storageConfig");
        return this;
    }

    /**
     * Keeps blobs whose names start with one of these strings, compared exactly as given; {@code
     * ""} keeps every name (the default). Blob names have no leading {@code /}.
     */
    public ChangeFeedSourceBuilder setPrefixes(List<String> prefixes) {
        Objects.requireNonNull(prefixes, "prefixes");
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException(
                    "prefixes must not be empty; use List.of(\"\") to keep every blob");
        }
        List<String> checked = new ArrayList<>(prefixes.size());
        for (String prefix : prefixes) {
            if (prefix == null) {
                throw new IllegalArgumentException("prefixes must not contain null: " + prefixes);
            }
            if (prefix.startsWith("/")) {
                throw new IllegalArgumentException(
                        "prefix '"
                                + prefix
                                + "' starts with '/', but blob names never do: pass '"
                                + prefix.substring(1)
                                + "' instead");
            }
            checked.add(prefix);
        }
        this.prefixes = List.copyOf(checked);
        return this;
    }

    /**
     * Emits every change at or after this time (and possibly some shortly before: duplicates are
     * harmless, a gap is not). For the blob sync, the moment the full walk started.
     */
    public ChangeFeedSourceBuilder setStartTime(Instant startTime) {
        Objects.requireNonNull(startTime, "startTime");
        if (startCursor != null) {
            throw new IllegalStateException(
                    "setStartTime and setStartCursor are alternatives; a start cursor is already"
                            + " set");
        }
        this.startTime = startTime;
        return this;
    }

    /** {@link #setStartTime(Instant)} in epoch milliseconds. */
    public ChangeFeedSourceBuilder setStartTime(long startTimeEpochMillis) {
        return setStartTime(Instant.ofEpochMilli(startTimeEpochMillis));
    }

    /**
     * Resumes after the position of a cursor saved earlier (a continuation token of the change-feed
     * SDK, taken through the same host name as the storage config's endpoint).
     */
    public ChangeFeedSourceBuilder setStartCursor(String cursor) {
        Objects.requireNonNull(cursor, "cursor");
        if (startTime != null) {
            throw new IllegalStateException(
                    "setStartTime and setStartCursor are alternatives; a start time is already set");
        }
        cursorHost(cursor); // fails early on something that is not a cursor
        this.startCursor = cursor;
        return this;
    }

    /** How long to wait before asking again once the feed had nothing new. Default 1 s. */
    public ChangeFeedSourceBuilder setPollInterval(Duration pollInterval) {
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException(
                    "pollInterval must be positive (an idle feed would be polled in a busy loop),"
                            + " was "
                            + pollInterval);
        }
        this.pollInterval = pollInterval;
        return this;
    }

    /**
     * Events per SDK page, 1 to {@value #MAX_PAGE_SIZE} (default). The read position moves per
     * page, so this is also how many events a restore may emit again.
     */
    public ChangeFeedSourceBuilder setPageSize(int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException(
                    "pageSize must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
        this.pageSize = pageSize;
        return this;
    }

    /**
     * How far the storage service's clock may trail the clock that produced the start time. Events
     * older than {@code startTime - tolerance} are dropped as already covered. Default 15 min;
     * {@link Duration#ZERO} trusts both clocks completely.
     */
    public ChangeFeedSourceBuilder setClockSkewTolerance(Duration tolerance) {
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException(
                    "clockSkewTolerance must not be negative, was " + tolerance);
        }
        this.clockSkewTolerance = tolerance;
        return this;
    }

    /** Checks the settings and builds the source. */
    public ChangeFeedSource build() {
        sanityCheck(true);
        return new ChangeFeedSource(
                storageConfig,
                prefixes,
                startTime,
                startCursor,
                pollInterval,
                pageSize,
                clockSkewTolerance);
    }

    /**
     * Checks the settings now and builds the source when a {@link
     * org.apache.flink.connector.base.source.hybrid.HybridSource} switches to it, starting at the
     * time the previous source's enumerator reports (for the blob sync: when the walk started).
     *
     * <pre>{@code
     * HybridSource.<BlobChange, ListingEnumerator>builder(listing)
     *         .addSource(
     *                 ChangeFeedSource.builder()
     *                         .setStorageConfig(config)
     *                         .setPrefixes(prefixes)
     *                         .buildStartingAtSwitch(ListingEnumerator::walkStartTime),
     *                 Boundedness.CONTINUOUS_UNBOUNDED)
     *         .build();
     * }</pre>
     */
    public <E extends SplitEnumerator<?, ?>> ChangeFeedSourceFactory<E> buildStartingAtSwitch(
            SerializableFunction<E, Instant> startTimeFromPreviousEnumerator) {
        Objects.requireNonNull(startTimeFromPreviousEnumerator, "startTimeFromPreviousEnumerator");
        if (startTime != null || startCursor != null) {
            throw new IllegalStateException(
                    "the start comes from the previous enumerator at switch time; do not also"
                            + " call setStartTime or setStartCursor");
        }
        sanityCheck(false);
        return new ChangeFeedSourceFactory<>(copy(), startTimeFromPreviousEnumerator);
    }

    ChangeFeedSourceBuilder copy() {
        ChangeFeedSourceBuilder copy = new ChangeFeedSourceBuilder();
        copy.storageConfig = storageConfig;
        copy.prefixes = prefixes;
        copy.startTime = startTime;
        copy.startCursor = startCursor;
        copy.pollInterval = pollInterval;
        copy.pageSize = pageSize;
        copy.clockSkewTolerance = clockSkewTolerance;
        return copy;
    }

    private void sanityCheck(boolean needsStart) {
        if (storageConfig == null) {
            throw new IllegalStateException(
                    "no storage config: call setStorageConfig(...) with the account whose change"
                            + " feed to read and the container to mirror");
        }
        if (needsStart && startTime == null && startCursor == null) {
            throw new IllegalStateException(
                    "no start position: call setStartTime(...) with the moment the full walk"
                            + " started, or setStartCursor(...) with a cursor saved earlier");
        }
        if (startCursor != null) {
            String endpointHost = URI.create(storageConfig.endpoint()).getHost();
            String cursorHost = cursorHost(startCursor);
            if (!Objects.equals(endpointHost, cursorHost)) {
                throw new IllegalStateException(
                        "the start cursor was taken through host '"
                                + cursorHost
                                + "' but the storage endpoint's host is '"
                                + endpointHost
                                + "'; the SDK only resumes a cursor through the same host name"
                                + " (127.0.0.1 and localhost differ)");
            }
        }
    }

    /** The {@code UrlHost} a change-feed cursor records. */
    static String cursorHost(String cursor) {
        try (JsonReader reader = JsonProviders.createReader(cursor)) {
            Object parsed = reader.readUntyped();
            if (parsed instanceof Map && ((Map<?, ?>) parsed).get("UrlHost") instanceof String) {
                return (String) ((Map<?, ?>) parsed).get("UrlHost");
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "not a change-feed cursor (expected the SDK's continuation token JSON): "
                            + cursor,
                    e);
        }
        throw new IllegalArgumentException(
                "not a change-feed cursor (no UrlHost field): " + cursor);
    }
}
