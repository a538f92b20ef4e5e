package dev.autoimport.connector.blob;

import java.util.Map;
import java.util.Objects;

/**
 * A change to one blob name, as either source reports it: a blob seen by the listing, or an event
 * read from the change feed.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so that Flink serializes it without Kryo.
 * Fields a source does not know stay at their defaults: the change feed carries no metadata, so
 * {@link #metadata} is {@code null} there and the consumer must fetch it when it matters.
 */
public class BlobChange {

    /** What happened to the blob. */
    public enum Type {
        /**
         * The blob exists with the given etag (listed, created, or its content or metadata
         * changed).
         */
        UPSERT,
        /** The blob was deleted. */
        DELETE
    }

    /** Which source produced the change. */
    public enum Origin {
        LISTING,
        CHANGE_FEED
    }

    /**
     * The blob name as the service reports it (no leading slash, directory markers may end in '/').
     */
    public String blobName;

    public Type type;
    public Origin origin;

    /** The blob's etag; {@code null} for deletions. */
    public String etag;

    /** The blob's Last-Modified in epoch milliseconds; 0 when unknown. */
    public long lastModifiedMillis;

    /** Content length in bytes; -1 when unknown. */
    public long contentLength = -1;

    /** Blob metadata as listed (keys as the service returns them); {@code null} when unknown. */
    public Map<String, String> metadata;

    /** The change feed's sequencer for this blob; {@code null} for listed blobs. */
    public String sequencer;

    /** When the change happened (feed event time, or listing time), epoch milliseconds. */
    public long eventTimeMillis;

    public BlobChange() {}

    public static BlobChange listed(
            String blobName,
            String etag,
            long lastModifiedMillis,
            long contentLength,
            Map<String, String> metadata,
            long listedAtMillis) {
        BlobChange c = new BlobChange();
        c.blobName = blobName;
        c.type = Type.UPSERT;
        c.origin = Origin.LISTING;
        c.etag = etag;
        c.lastModifiedMillis = lastModifiedMillis;
        c.contentLength = contentLength;
        c.metadata = metadata;
        c.eventTimeMillis = listedAtMillis;
        return c;
    }

    public boolean isDelete() {
        return type == Type.DELETE;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BlobChange)) {
            return false;
        }
        BlobChange that = (BlobChange) o;
        return lastModifiedMillis == that.lastModifiedMillis
                && contentLength == that.contentLength
                && eventTimeMillis == that.eventTimeMillis
                && Objects.equals(blobName, that.blobName)
                && type == that.type
                && origin == that.origin
                && Objects.equals(etag, that.etag)
                && Objects.equals(metadata, that.metadata)
                && Objects.equals(sequencer, that.sequencer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(blobName, type, origin, etag, lastModifiedMillis, sequencer);
    }

    @Override
    public String toString() {
        return "BlobChange{"
                + type
                + " "
                + blobName
                + " etag="
                + etag
                + " lastModified="
                + lastModifiedMillis
                + " length="
                + contentLength
                + " origin="
                + origin
                + (sequencer == null ? "" : " sequencer=" + sequencer)
                + "}";
    }
}
