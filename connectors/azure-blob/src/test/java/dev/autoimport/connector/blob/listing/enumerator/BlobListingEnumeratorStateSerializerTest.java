package dev.autoimport.connector.blob.listing.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.blob.listing.split.BlobListingSplit;
import dev.autoimport.connector.blob.listing.split.ListingPosition;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobListingEnumeratorStateSerializerTest {

    private final BlobListingEnumeratorStateSerializer serializer =
            new BlobListingEnumeratorStateSerializer();

    /** The V1 bytes of {@link #plannedState()}, pinned so that a change to V1 fails here. */
    private static final String V1_PLANNED_HEX =
            // walk start millis
            "0000018bcfe5687b"
                    // splits planned: true
                    + "01"
                    // split serializer version, split count
                    + "00000001"
                    + "00000002"
                    // each split: length, bytes
                    + "0000000d"
                    + "00000002612f01000000000000"
                    + "0000001a"
                    + "00000000000100000002216d0000000201000000057a2e747874";

    private static BlobListingEnumeratorState plannedState() {
        return new BlobListingEnumeratorState(
                1_700_000_000_123L,
                true,
                List.of(
                        BlobListingSplit.recursive("a/"),
                        BlobListingSplit.direct("").at(new ListingPosition("!m", 2, "z.txt"))));
    }

    @Test
    void roundTripsStatesBeforeAndAfterPlanning() throws IOException {
        for (BlobListingEnumeratorState state :
                List.of(BlobListingEnumeratorState.newWalk(42L), plannedState())) {
            assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)))
                    .isEqualTo(state);
        }
    }

    @Test
    void restoresVersion1Bytes() throws IOException {
        byte[] v1 = serializer.serializeV1(plannedState());

        assertThat(HexFormat.of().formatHex(v1)).isEqualTo(V1_PLANNED_HEX);
        assertThat(
                        serializer.deserialize(
                                BlobListingEnumeratorStateSerializer.VERSION_1,
                                HexFormat.of().parseHex(V1_PLANNED_HEX)))
                .isEqualTo(plannedState());
    }

    @Test
    void refusesAFormatFromTheFutureWithAnExplanation() {
        assertThatThrownBy(() -> serializer.deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 2")
                .hasMessageContaining("newer release");
    }
}
