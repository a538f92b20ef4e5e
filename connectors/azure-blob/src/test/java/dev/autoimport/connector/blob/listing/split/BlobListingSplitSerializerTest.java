package dev.autoimport.connector.blob.listing.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobListingSplitSerializerTest {

    private final BlobListingSplitSerializer serializer = new BlobListingSplitSerializer();

    /**
     * The V1 bytes of a direct split of "données/" resumed mid-page. Pinned so that a change to the
     * V1 layout, which would break restoring existing savepoints, fails here.
     */
    private static final String V1_MID_PAGE_HEX =
            // prefix: length, UTF-8
            "00000009"
                    + "646f6e6ec3a965732f"
                    // recursive: false
                    + "00"
                    // page marker: present, length, UTF-8
                    + "01"
                    + "00000005"
                    + "2131322131"
                    // emitted in page
                    + "00000003"
                    // last emitted blob name: present, length, UTF-8
                    + "01"
                    + "00000014"
                    + "646f6e6ec3a965732f636166c3a9207a2e747874";

    @Test
    void roundTripsSplitsAtEveryKindOfPosition() throws IOException {
        for (BlobListingSplit split :
                List.of(
                        BlobListingSplit.recursive(""),
                        BlobListingSplit.direct("top/"),
                        BlobListingSplit.recursive("a dir/").at(ListingPosition.atPage("!4!bWFy")),
                        BlobListingSplit.recursive("日本/")
                                .at(new ListingPosition("m", 17, "日本/ファイル 1.bin")))) {
            BlobListingSplit restored =
                    serializer.deserialize(serializer.getVersion(), serializer.serialize(split));
            assertThat(restored).isEqualTo(split);
            assertThat(restored.splitId()).isEqualTo(split.splitId());
        }
    }

    @Test
    void restoresVersion1Bytes() throws IOException {
        BlobListingSplit split =
                BlobListingSplit.direct("données/")
                        .at(new ListingPosition("!12!1", 3, "données/café z.txt"));

        byte[] v1 = BlobListingSplitSerializer.serializeV1(split);

        assertThat(HexFormat.of().formatHex(v1)).isEqualTo(V1_MID_PAGE_HEX);
        assertThat(
                        serializer.deserialize(
                                BlobListingSplitSerializer.VERSION_1,
                                HexFormat.of().parseHex(V1_MID_PAGE_HEX)))
                .isEqualTo(split);
    }

    @Test
    void refusesAFormatFromTheFutureWithAnExplanation() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 99")
                .hasMessageContaining("reads versions [1]");
    }

    @Test
    void splitIdsDistinguishRecursiveAndDirectSplitsOfOnePrefix() {
        assertThat(BlobListingSplit.recursive("a/").splitId())
                .isNotEqualTo(BlobListingSplit.direct("a/").splitId());
    }
}
