package dev.autoimport.connector.blob.changefeed.testing;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One change-feed record as {@link ChangeFeedWriter} writes it.
 *
 * @param id the event's unique id (the feed's {@code id} field)
 * @param eventType {@code BlobCreated}, {@code BlobDeleted}, {@code BlobPropertiesUpdated}, {@code
 *     BlobTierChanged}, {@code Control}, ...
 * @param api the operation that caused it, e.g. {@code PutBlob}, {@code SetBlobMetadata}
 * @param container the container; empty for {@code Control} records
 * @param blobName the blob name; empty for {@code Control} records
 * @param etag the blob's etag after the operation
 * @param contentLength the blob's length after the operation
 * @param sequencer orders the events of one blob (compared as strings)
 * @param eventTime when the operation happened; decides the hourly segment
 */
public record FeedEvent(
        String id,
        String eventType,
        String api,
        String container,
        String blobName,
        String etag,
        long contentLength,
        String sequencer,
        Instant eventTime) {

    public FeedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(blobName, "blobName");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(sequencer, "sequencer");
        Objects.requireNonNull(eventTime, "eventTime");
    }

    public static FeedEvent created(
            String container,
            String blobName,
            String etag,
            long contentLength,
            String sequencer,
            Instant eventTime) {
        return of(
                "BlobCreated",
                "PutBlob",
                container,
                blobName,
                etag,
                contentLength,
                sequencer,
                eventTime);
    }

    public static FeedEvent deleted(
            String container, String blobName, String sequencer, Instant eventTime) {
        return of("BlobDeleted", "DeleteBlob", container, blobName, "", 0, sequencer, eventTime);
    }

    /** A metadata update, as the service reports it: {@code BlobPropertiesUpdated}. */
    public static FeedEvent metadataUpdated(
            String container,
            String blobName,
            String etag,
            long contentLength,
            String sequencer,
            Instant eventTime) {
        return of(
                "BlobPropertiesUpdated",
                "SetBlobMetadata",
                container,
                blobName,
                etag,
                contentLength,
                sequencer,
                eventTime);
    }

    /** The service's internal bookkeeping record, which readers must skip. */
    public static FeedEvent control(Instant eventTime) {
        return of("Control", "", "", "", "", 0, "", eventTime);
    }

    /** Any other event type, for example {@code BlobTierChanged} or {@code BlobSnapshotCreated}. */
    public static FeedEvent of(
            String eventType,
            String api,
            String container,
            String blobName,
            String etag,
            long contentLength,
            String sequencer,
            Instant eventTime) {
        return new FeedEvent(
                UUID.randomUUID().toString(),
                eventType,
                api,
                container,
                blobName,
                etag,
                contentLength,
                sequencer,
                eventTime);
    }

    /** The feed's {@code subject}; empty for records that concern no blob. */
    public String subject() {
        return container.isEmpty()
                ? ""
                : "/blobServices/default/containers/" + container + "/blobs/" + blobName;
    }
}
