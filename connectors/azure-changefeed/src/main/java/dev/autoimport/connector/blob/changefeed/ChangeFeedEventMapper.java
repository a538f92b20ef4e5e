package dev.autoimport.connector.blob.changefeed;

import com.azure.storage.blob.changefeed.models.BlobChangefeedEvent;
import com.azure.storage.blob.changefeed.models.BlobChangefeedEventData;
import dev.autoimport.connector.blob.BlobChange;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Turns a change-feed event into the {@link BlobChange} the job acts on, or drops it.
 *
 * <p>The feed covers the whole account and every kind of operation; the job needs the events that
 * may have changed what a blob of its container under its prefixes looks like in Lustre (content,
 * existence, or metadata such as {@code permissions}). The decision, in order:
 *
 * <ol>
 *   <li>{@code Control} records (the service's own bookkeeping) are dropped.
 *   <li>Subjects outside {@code /blobServices/default/containers/<container>/blobs/} (other
 *       containers, non-blob subjects) are dropped.
 *   <li>Names that start with none of the prefixes are dropped. Prefixes are plain string prefixes,
 *       exactly as given; {@code ""} keeps every name.
 *   <li>Events older than the lower time bound are dropped (see {@link #ChangeFeedEventMapper}).
 *   <li>Types that change neither content, existence nor metadata are dropped: {@code
 *       BlobTierChanged}, {@code BlobSnapshotCreated} (snapshots are not mirrored), {@code
 *       BlobAsyncOperationInitiated} (a copy was started; its completion is reported on its own),
 *       {@code RestorePointMarkerCreated}.
 *   <li>{@code BlobDeleted} becomes a {@link BlobChange.Type#DELETE}.
 *   <li>Everything else becomes an {@link BlobChange.Type#UPSERT}: {@code BlobCreated}, {@code
 *       BlobPropertiesUpdated} (which also reports metadata updates, so a new {@code permissions}
 *       value reaches Lustre), and types this code does not know yet. Events are hints that the job
 *       checks against the blob's current state, so an unneeded UPSERT costs at most one request,
 *       while a dropped one could lose a change.
 * </ol>
 *
 * <p>A kept event carries the blob name, the sequencer and the event time; UPSERTs also carry the
 * etag (bare, without quotes) and content length the event reports. The feed carries no metadata
 * and no Last-Modified, so those stay unknown.
 */
public final class ChangeFeedEventMapper {

    static final String CONTROL = "Control";
    static final String BLOB_DELETED = "BlobDeleted";
    static final Set<String> TYPES_WITHOUT_VISIBLE_CHANGE =
            Set.of(
                    "BlobTierChanged",
                    "BlobSnapshotCreated",
                    "BlobAsyncOperationInitiated",
                    "RestorePointMarkerCreated");

    private final String subjectPrefix;
    private final List<String> namePrefixes;
    private final long notBeforeMillis;

    /**
     * @param container the container whose blobs the job mirrors
     * @param namePrefixes blob-name prefixes to keep; {@code ""} keeps every name
     * @param notBeforeMillis events with an earlier event time are dropped; {@link Long#MIN_VALUE}
     *     keeps all
     */
    public ChangeFeedEventMapper(
            String container, List<String> namePrefixes, long notBeforeMillis) {
        this.subjectPrefix =
                "/blobServices/default/containers/"
                        + Objects.requireNonNull(container, "container")
                        + "/blobs/";
        this.namePrefixes = List.copyOf(namePrefixes);
        this.notBeforeMillis = notBeforeMillis;
    }

    /** The change to emit for this event, or {@code null} when the job does not need it. */
    @Nullable
    public BlobChange toBlobChange(BlobChangefeedEvent event) {
        String type = event.getEventType() == null ? null : event.getEventType().toString();
        if (type == null || CONTROL.equals(type)) {
            return null;
        }
        String subject = event.getSubject();
        if (subject == null || !subject.startsWith(subjectPrefix)) {
            return null;
        }
        String name = subject.substring(subjectPrefix.length());
        if (name.isEmpty() || !matchesAnyPrefix(name)) {
            return null;
        }
        long eventTimeMillis = eventTimeMillis(event);
        // An event without a time cannot be placed before the bound, so it is kept.
        if (event.getEventTime() != null && eventTimeMillis < notBeforeMillis) {
            return null;
        }
        if (TYPES_WITHOUT_VISIBLE_CHANGE.contains(type)) {
            return null;
        }

        BlobChangefeedEventData data = event.getData();
        BlobChange change = new BlobChange();
        change.blobName = name;
        change.origin = BlobChange.Origin.CHANGE_FEED;
        change.eventTimeMillis = eventTimeMillis;
        change.sequencer = data == null ? null : data.getSequencer();
        if (BLOB_DELETED.equals(type)) {
            change.type = BlobChange.Type.DELETE;
        } else {
            change.type = BlobChange.Type.UPSERT;
            if (data != null) {
                change.etag = withoutQuotes(data.getETag());
                Long length = data.getContentLength();
                change.contentLength = length == null ? -1 : length;
            }
        }
        return change;
    }

    /** The event's time in epoch milliseconds, 0 when the event has none. */
    public static long eventTimeMillis(BlobChangefeedEvent event) {
        OffsetDateTime time = event.getEventTime();
        return time == null ? 0L : time.toInstant().toEpochMilli();
    }

    /**
     * The feed reports etags bare ({@code 0x8D...}), as listings do; the ETag header quotes them.
     * Stripping quotes keeps every source's etags comparable should a feed ever quote them.
     */
    @Nullable
    static String withoutQuotes(@Nullable String etag) {
        if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }

    private boolean matchesAnyPrefix(String name) {
        for (String prefix : namePrefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
