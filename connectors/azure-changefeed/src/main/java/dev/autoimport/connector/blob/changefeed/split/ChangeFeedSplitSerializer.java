package dev.autoimport.connector.blob.changefeed.split;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes a {@link ChangeFeedSplit} into checkpoints and savepoints.
 *
 * <p>Every format ever written keeps its own {@code serializeVn}/{@code deserializeVn} pair, so
 * tests can produce old bytes and savepoints from old releases stay readable.
 *
 * <p>Version 1: split id (modified UTF-8), presence byte and epoch milliseconds of the start time,
 * presence byte and the cursor as an int length followed by UTF-8 bytes (a cursor lists one entry
 * per shard and may outgrow the 64 KiB limit of {@code writeUTF}).
 */
public final class ChangeFeedSplitSerializer implements SimpleVersionedSerializer<ChangeFeedSplit> {

    public static final ChangeFeedSplitSerializer INSTANCE = new ChangeFeedSplitSerializer();

    public static final int VERSION_1 = 1;
    public static final int CURRENT_VERSION = VERSION_1;
    public static final Set<Integer> COMPATIBLE_VERSIONS = Set.of(VERSION_1);

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(ChangeFeedSplit split) throws IOException {
        return serializeV1(split);
    }

    @Override
    public ChangeFeedSplit deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case VERSION_1:
                return deserializeV1(serialized);
            default:
                throw new IOException(
                        "cannot read a change-feed split of serializer version "
                                + version
                                + "; this release reads versions "
                                + COMPATIBLE_VERSIONS
                                + ". Restore with the release that wrote the savepoint or a newer"
                                + " one.");
        }
    }

    static byte[] serializeV1(ChangeFeedSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(split.splitId());
            Instant startTime = split.startTime().orElse(null);
            out.writeBoolean(startTime != null);
            if (startTime != null) {
                out.writeLong(startTime.toEpochMilli());
            }
            String cursor = split.cursor().orElse(null);
            out.writeBoolean(cursor != null);
            if (cursor != null) {
                byte[] utf8 = cursor.getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        }
        return bytes.toByteArray();
    }

    static ChangeFeedSplit deserializeV1(byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            String splitId = in.readUTF();
            Instant startTime = in.readBoolean() ? Instant.ofEpochMilli(in.readLong()) : null;
            String cursor = null;
            if (in.readBoolean()) {
                byte[] utf8 = new byte[in.readInt()];
                in.readFully(utf8);
                cursor = new String(utf8, StandardCharsets.UTF_8);
            }
            if (in.available() > 0) {
                throw new IOException(
                        "unexpected "
                                + in.available()
                                + " trailing bytes in a V1 change-feed split");
            }
            return new ChangeFeedSplit(splitId, startTime, cursor);
        }
    }
}
