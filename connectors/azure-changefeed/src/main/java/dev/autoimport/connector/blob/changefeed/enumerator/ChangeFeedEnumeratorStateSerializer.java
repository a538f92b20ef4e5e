package dev.autoimport.connector.blob.changefeed.enumerator;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplitSerializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes {@link ChangeFeedEnumeratorState} into checkpoints and savepoints.
 *
 * <p>Version 1: a presence byte, then the split serializer's version and the split's bytes
 * (length-prefixed), so the split format can evolve on its own.
 */
public final class ChangeFeedEnumeratorStateSerializer
        implements SimpleVersionedSerializer<ChangeFeedEnumeratorState> {

    public static final ChangeFeedEnumeratorStateSerializer INSTANCE =
            new ChangeFeedEnumeratorStateSerializer();

    public static final int VERSION_1 = 1;
    public static final int CURRENT_VERSION = VERSION_1;
    public static final Set<Integer> COMPATIBLE_VERSIONS = Set.of(VERSION_1);

    private final ChangeFeedSplitSerializer splitSerializer = ChangeFeedSplitSerializer.INSTANCE;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(ChangeFeedEnumeratorState state) throws IOException {
        return serializeV1(state);
    }

    @Override
    public ChangeFeedEnumeratorState deserialize(int version, byte[] serialized)
            throws IOException {
        switch (version) {
            case VERSION_1:
                return deserializeV1(serialized);
            default:
                throw new IOException(
                        "cannot read change-feed enumerator state of serializer version "
                                + version
                                + "; this release reads versions "
                                + COMPATIBLE_VERSIONS);
        }
    }

    byte[] serializeV1(ChangeFeedEnumeratorState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            ChangeFeedSplit split = state.unassignedSplit().orElse(null);
            out.writeBoolean(split != null);
            if (split != null) {
                byte[] splitBytes = splitSerializer.serialize(split);
                out.writeInt(splitSerializer.getVersion());
                out.writeInt(splitBytes.length);
                out.write(splitBytes);
            }
        }
        return bytes.toByteArray();
    }

    ChangeFeedEnumeratorState deserializeV1(byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            ChangeFeedSplit split = null;
            if (in.readBoolean()) {
                int splitVersion = in.readInt();
                byte[] splitBytes = new byte[in.readInt()];
                in.readFully(splitBytes);
                split = splitSerializer.deserialize(splitVersion, splitBytes);
            }
            return new ChangeFeedEnumeratorState(split);
        }
    }
}
