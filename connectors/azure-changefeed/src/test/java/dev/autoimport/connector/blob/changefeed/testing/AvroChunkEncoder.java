package dev.autoimport.connector.blob.changefeed.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;

/**
 * Encodes change-feed records as an Avro object container file without codec, the format of the
 * service's chunk files.
 *
 * <p>Written by hand (the format is small) rather than with Apache Avro, which would drag older
 * Jackson versions into the build. Limits that the SDK's own Avro reader imposes: every number is a
 * {@code long} (the SDK casts to {@code Long}), each named type is defined inline once, no aliases.
 */
final class AvroChunkEncoder {

    static final String SCHEMA =
            "{\"type\":\"record\",\"name\":\"com.microsoft.azure.storage.blob.BlobChangeEvent\","
                    + "\"fields\":["
                    + "{\"name\":\"schemaVersion\",\"type\":\"long\"},"
                    + "{\"name\":\"topic\",\"type\":\"string\"},"
                    + "{\"name\":\"subject\",\"type\":\"string\"},"
                    + "{\"name\":\"eventType\",\"type\":\"string\"},"
                    + "{\"name\":\"eventTime\",\"type\":\"string\"},"
                    + "{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"data\",\"type\":{\"type\":\"record\","
                    + "\"name\":\"com.microsoft.azure.storage.blob.BlobChangeEventData\","
                    + "\"fields\":["
                    + "{\"name\":\"api\",\"type\":\"string\"},"
                    + "{\"name\":\"clientRequestId\",\"type\":\"string\"},"
                    + "{\"name\":\"requestId\",\"type\":\"string\"},"
                    + "{\"name\":\"etag\",\"type\":\"string\"},"
                    + "{\"name\":\"contentType\",\"type\":\"string\"},"
                    + "{\"name\":\"contentLength\",\"type\":\"long\"},"
                    + "{\"name\":\"blobType\",\"type\":\"string\"},"
                    + "{\"name\":\"contentOffset\",\"type\":[\"null\",\"long\"]},"
                    + "{\"name\":\"destinationUrl\",\"type\":[\"null\",\"string\"]},"
                    + "{\"name\":\"sourceUrl\",\"type\":[\"null\",\"string\"]},"
                    + "{\"name\":\"url\",\"type\":\"string\"},"
                    + "{\"name\":\"recursive\",\"type\":[\"null\",\"boolean\"]},"
                    + "{\"name\":\"sequencer\",\"type\":\"string\"},"
                    + "{\"name\":\"storageDiagnostics\",\"type\":{\"type\":\"map\","
                    + "\"values\":\"string\"}}"
                    + "]}},"
                    + "{\"name\":\"dataVersion\",\"type\":\"long\"},"
                    + "{\"name\":\"metadataVersion\",\"type\":\"string\"}"
                    + "]}";

    private static final byte[] MAGIC = {'O', 'b', 'j', 1};
    private static final String TOPIC =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/test"
                    + "/providers/Microsoft.Storage/storageAccounts/devstoreaccount1";

    private final int eventsPerBlock;
    private final String accountUrl;
    private final Random random = new Random();

    /**
     * @param eventsPerBlock records per Avro block; a cursor inside a chunk points at a block, so
     *     several blocks per chunk exercise the SDK's resume-inside-a-chunk path
     * @param accountUrl the blob endpoint, for the events' {@code url}
     */
    AvroChunkEncoder(int eventsPerBlock, String accountUrl) {
        if (eventsPerBlock < 1) {
            throw new IllegalArgumentException("eventsPerBlock must be positive");
        }
        this.eventsPerBlock = eventsPerBlock;
        this.accountUrl = accountUrl;
    }

    byte[] encode(List<FeedEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + events.size() * 700);
        out.writeBytes(MAGIC);
        writeLong(out, 2); // header metadata: one map block of two entries
        writeString(out, "avro.schema");
        writeString(out, SCHEMA);
        writeString(out, "avro.codec");
        writeString(out, "null");
        writeLong(out, 0);
        byte[] sync = new byte[16];
        random.nextBytes(sync);
        out.writeBytes(sync);

        for (int from = 0; from < events.size(); from += eventsPerBlock) {
            List<FeedEvent> block =
                    events.subList(from, Math.min(events.size(), from + eventsPerBlock));
            ByteArrayOutputStream body = new ByteArrayOutputStream(block.size() * 700);
            for (FeedEvent event : block) {
                writeEvent(body, event);
            }
            writeLong(out, block.size());
            writeLong(out, body.size());
            out.writeBytes(body.toByteArray());
            out.writeBytes(sync);
        }
        return out.toByteArray();
    }

    private void writeEvent(ByteArrayOutputStream out, FeedEvent event) {
        writeLong(out, 3); // schemaVersion
        writeString(out, TOPIC);
        writeString(out, event.subject());
        writeString(out, event.eventType());
        writeString(out, DateTimeFormatter.ISO_INSTANT.format(event.eventTime()));
        writeString(out, event.id());
        // data
        writeString(out, event.api());
        writeString(out, "client-" + event.id());
        writeString(out, "request-" + event.id());
        writeString(out, event.etag());
        writeString(out, "application/octet-stream");
        writeLong(out, event.contentLength());
        writeString(out, "BlockBlob");
        writeLong(out, 0); // contentOffset: null
        writeLong(out, 0); // destinationUrl: null
        writeLong(out, 0); // sourceUrl: null
        writeString(
                out,
                event.container().isEmpty()
                        ? ""
                        : accountUrl + "/" + event.container() + "/" + event.blobName());
        writeLong(out, 0); // recursive: null
        writeString(out, event.sequencer());
        writeLong(out, 1); // storageDiagnostics: one entry
        writeString(out, "batchId");
        writeString(out, event.id());
        writeLong(out, 0);
        // top level again
        writeLong(out, 3); // dataVersion
        writeString(out, "1");
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeLong(out, utf8.length);
        out.writeBytes(utf8);
    }

    /** Avro's zig-zag variable-length long. */
    private static void writeLong(ByteArrayOutputStream out, long value) {
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }
}
