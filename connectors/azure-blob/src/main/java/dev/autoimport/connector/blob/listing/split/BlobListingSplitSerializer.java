package dev.autoimport.connector.blob.listing.split;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes splits in the current format and reads every format a released version wrote.
 *
 * <p>A new format gets a new {@code serializeVn} and a branch in {@link #deserialize}; the older
 * writers stay so that tests can produce the bytes an older release left in a savepoint.
 */
public final class BlobListingSplitSerializer
        implements SimpleVersionedSerializer<BlobListingSplit> {

    public static final int VERSION_1 = 1;
    public static final int CURRENT_VERSION = VERSION_1;
    public static final Set<Integer> COMPATIBLE_VERSIONS = Set.of(VERSION_1);

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(BlobListingSplit split) throws IOException {
        return serializeV1(split);
    }

    @VisibleForTesting
    static byte[] serializeV1(BlobListingSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        writeString(out, split.prefix());
        out.writeBoolean(split.recursive());
        ListingPosition position = split.position();
        writeNullableString(out, position.pageMarker());
        out.writeInt(position.emittedInPage());
        writeNullableString(out, position.lastEmittedBlobName());
        return out.getCopyOfBuffer();
    }

    @Override
    public BlobListingSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version == VERSION_1) {
            return deserializeV1(serialized);
        }
        throw new IOException(
                "Cannot read a blob listing split written in format version "
                        + version
                        + "; this build reads versions "
                        + COMPATIBLE_VERSIONS
                        + ". Was the checkpoint or savepoint taken by a newer release?");
    }

    private static BlobListingSplit deserializeV1(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String prefix = readString(in);
        boolean recursive = in.readBoolean();
        String pageMarker = readNullableString(in);
        int emittedInPage = in.readInt();
        String lastEmittedBlobName = readNullableString(in);
        return new BlobListingSplit(
                prefix,
                recursive,
                new ListingPosition(pageMarker, emittedInPage, lastEmittedBlobName));
    }

    // Length-prefixed UTF-8 rather than writeUTF, whose 64 KiB limit an opaque marker could reach.
    private static void writeString(DataOutputView out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static void writeNullableString(DataOutputView out, @Nullable String s)
            throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readString(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Nullable
    private static String readNullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }
}
