package dev.autoimport.connector.blob.changefeed;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Reads how far the change feed is published: {@code lastConsumable} in {@code
 * $blobchangefeed/meta/segments.json}.
 *
 * <p>The service advances {@code lastConsumable} only over finalized hourly segments, so once a
 * reader has drained everything the SDK returned after this value was read, every event up to it
 * has been read.
 */
public final class ChangeFeedMetadataReader {

    public static final String FEED_CONTAINER = "$blobchangefeed";
    public static final String SEGMENTS_JSON = "meta/segments.json";

    private final BlobContainerClient feedContainer;
    private final BlobClient segmentsJson;

    public ChangeFeedMetadataReader(BlobServiceClient serviceClient) {
        this.feedContainer = serviceClient.getBlobContainerClient(FEED_CONTAINER);
        this.segmentsJson = feedContainer.getBlobClient(SEGMENTS_JSON);
    }

    /**
     * Whether the feed still holds the hourly segment a cursor points into. The account's retention
     * deletes old segments, and the SDK (12.0.0-beta.34) resumes a cursor whose segment is gone at
     * the next segment that exists, silently skipping the rest of the deleted one.
     */
    public boolean holdsSegmentOf(String cursor) {
        return feedContainer.getBlobClient(segmentPathOf(cursor)).exists();
    }

    /** The {@code SegmentPath} a cursor (the SDK's JSON continuation token) points into. */
    public static String segmentPathOf(String cursor) {
        try (JsonReader reader = JsonProviders.createReader(cursor)) {
            String path = findString(reader, "SegmentPath");
            if (path == null) {
                throw new IllegalArgumentException(
                        "not a change-feed cursor (no SegmentPath): " + cursor);
            }
            return path;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a change-feed cursor: " + cursor, e);
        }
    }

    /** The first string value of a field of that name, at any depth. */
    private static String findString(JsonReader reader, String name) throws IOException {
        JsonToken token =
                reader.currentToken() == null ? reader.nextToken() : reader.currentToken();
        if (token != JsonToken.START_OBJECT) {
            return null;
        }
        while (reader.nextToken() != JsonToken.END_OBJECT) {
            String field = reader.getFieldName();
            JsonToken value = reader.nextToken();
            if (value == JsonToken.STRING && name.equals(field)) {
                return reader.getString();
            }
            if (value == JsonToken.START_OBJECT) {
                String found = findString(reader, name);
                if (found != null) {
                    return found;
                }
            } else {
                reader.skipChildren();
            }
        }
        return null;
    }

    /**
     * The feed's {@code lastConsumable}, or empty when the feed has not published anything yet.
     *
     * @throws IllegalStateException when the account has no change feed at all
     */
    public Optional<Instant> lastConsumable() {
        byte[] json;
        try {
            json = segmentsJson.downloadContent().toBytes();
        } catch (BlobStorageException e) {
            if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
                throw new IllegalStateException(
                        "the storage account has no change feed (container "
                                + FEED_CONTAINER
                                + " does not exist): enable the blob change feed on the account",
                        e);
            }
            if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
                // A freshly enabled feed has no segments.json until its first segment is complete.
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(parseLastConsumable(json));
    }

    static Instant parseLastConsumable(byte[] segmentsJson) {
        try (JsonReader reader = JsonProviders.createReader(segmentsJson)) {
            if (reader.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException(SEGMENTS_JSON + " is not a JSON object");
            }
            while (reader.nextToken() != JsonToken.END_OBJECT) {
                String field = reader.getFieldName();
                reader.nextToken();
                if ("lastConsumable".equals(field)) {
                    String value = reader.getString();
                    return value == null ? null : OffsetDateTime.parse(value).toInstant();
                }
                reader.skipChildren();
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + SEGMENTS_JSON, e);
        }
    }
}
