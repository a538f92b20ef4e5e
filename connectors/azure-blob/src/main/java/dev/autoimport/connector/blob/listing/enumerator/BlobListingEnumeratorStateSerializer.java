package dev.autoimport.connector.blob.listing.enumerator;

import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.BlobListingSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Writes the enumerator state in the current format and reads every format a released version
 * wrote.
 *
 * <p>Each split is stored with the split serializer's version, so the split format can evolve
 * without a new state format.
 */
public final class BlobListingEnumeratorStateSerializer
        implements SimpleVersionedSerializer<BlobListingEnumeratorState> {

    public static final int VERSION_1 = 1;
    public static final int CURRENT_VERSION = VERSION_1;
    public static final Set<Integer> COMPATIBLE_VERSIONS = Set.of(VERSION_1);

    private final BlobListingSplitSerializer splitSerializer = new BlobListingSplitSerializer();

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(BlobListingEnumeratorState state) throws IOException {
        return serializeV1(state);
    }

    @VisibleForTesting
    byte[] serializeV1(BlobListingEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeLong(state.walkStartMillis());
        out.writeBoolean(state.splitsPlanned());
        out.writeInt(splitSerializer.getVersion());
        out.writeInt(state.unassignedSplits().size());
        for (BlobListingSplit split : state.unassignedSplits()) {
            byte[] bytes = splitSerializer.serialize(split);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public BlobListingEnumeratorState deserialize(int version, byte[] serialized)
            throws IOException {
        if (version == VERSION_1) {
            return deserializeV1(serialized);
        }
        throw new IOException(
                "Cannot read a blob listing enumerator state written in format version "
                        + version
                        + "; this build reads versions "
                        + COMPATIBLE_VERSIONS
                        + ". Was the checkpoint or savepoint taken by a newer release?");
    }

    private BlobListingEnumeratorState deserializeV1(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        long walkStartMillis = in.readLong();
        boolean splitsPlanned = in.readBoolean();
        int splitVersion = in.readInt();
        int count = in.readInt();
        List<BlobListingSplit> splits = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            splits.add(splitSerializer.deserialize(splitVersion, bytes));
        }
        return new BlobListingEnumeratorState(walkStartMillis, splitsPlanned, splits);
    }
}
