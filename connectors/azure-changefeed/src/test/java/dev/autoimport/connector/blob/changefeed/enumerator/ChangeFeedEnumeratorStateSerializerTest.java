package dev.autoimport.connector.blob.changefeed.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.io.IOException;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ChangeFeedEnumeratorStateSerializerTest {

    private static final Instant START = Instant.parse("2025-03-01T10:20:00Z");

    /** State holding the split (start time, cursor {"c":1}), as version 1 writes it. */
    private static final String V1_WITH_SPLIT =
            "010000000100000022000b6368616e67652d6665656401000001955138508001000000077b2263223a317d";

    private final ChangeFeedEnumeratorStateSerializer serializer =
            ChangeFeedEnumeratorStateSerializer.INSTANCE;

    @Test
    void stateWithTheUnassignedSplitRoundTrips() throws IOException {
        ChangeFeedEnumeratorState state =
                new ChangeFeedEnumeratorState(ChangeFeedSplit.startingAt(START));

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)))
                .isEqualTo(state);
    }

    @Test
    void stateWhileAReaderHoldsTheSplitRoundTrips() throws IOException {
        ChangeFeedEnumeratorState state = new ChangeFeedEnumeratorState(null);

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)))
                .isEqualTo(state);
    }

    @Test
    void version1BytesStillDeserialize() throws IOException {
        ChangeFeedEnumeratorState state =
                serializer.deserialize(
                        ChangeFeedEnumeratorStateSerializer.VERSION_1,
                        HexFormat.of().parseHex(V1_WITH_SPLIT));

        assertThat(state.unassignedSplit())
                .contains(ChangeFeedSplit.startingAt(START).withCursor("{\"c\":1}"));
        assertThat(HexFormat.of().formatHex(serializer.serialize(state))).isEqualTo(V1_WITH_SPLIT);
    }

    @Test
    void anUnknownVersionIsRejected() {
        assertThatThrownBy(() -> serializer.deserialize(2, new byte[] {0}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
    }
}
