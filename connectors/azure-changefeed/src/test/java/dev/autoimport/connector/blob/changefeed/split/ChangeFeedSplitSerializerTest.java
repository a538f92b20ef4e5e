package dev.autoimport.connector.blob.changefeed.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ChangeFeedSplitSerializerTest {

    private static final Instant START = Instant.parse("2025-03-01T10:20:00Z");

    /** A split with start time and cursor {"c":1}, as release 0.1 wrote it (version 1). */
    private static final String V1_START_AND_CURSOR =
            "000b6368616e67652d6665656401000001955138508001000000077b2263223a317d";

    private final ChangeFeedSplitSerializer serializer = ChangeFeedSplitSerializer.INSTANCE;

    @Test
    void aSplitThatHasNotBeenReadYetRoundTrips() throws IOException {
        assertRoundTrip(ChangeFeedSplit.startingAt(START));
    }

    @Test
    void aSplitWithStartTimeAndCursorRoundTrips() throws IOException {
        assertRoundTrip(ChangeFeedSplit.startingAt(START).withCursor("{\"CursorVersion\":1}"));
    }

    @Test
    void aSplitResumedFromACursorAloneRoundTrips() throws IOException {
        assertRoundTrip(ChangeFeedSplit.resumingFrom("{\"CursorVersion\":1}"));
    }

    @Test
    void aCursorLongerThanWhatWriteUtfAllowsRoundTrips() throws IOException {
        String longCursor = "{\"ShardCursors\":\"" + "é".repeat(70_000) + "\"}";
        assertRoundTrip(ChangeFeedSplit.startingAt(START).withCursor(longCursor));
    }

    @Test
    void subMillisecondStartTimesAreTruncatedSoThatTheyRoundTrip() throws IOException {
        ChangeFeedSplit split = ChangeFeedSplit.startingAt(START.plusNanos(1_500_000));
        assertThat(split.startTime()).contains(START.plusMillis(1));
        assertRoundTrip(split);
    }

    @Test
    void version1BytesStillDeserialize() throws IOException {
        ChangeFeedSplit split =
                serializer.deserialize(
                        ChangeFeedSplitSerializer.VERSION_1,
                        HexFormat.of().parseHex(V1_START_AND_CURSOR));

        assertThat(split).isEqualTo(ChangeFeedSplit.startingAt(START).withCursor("{\"c\":1}"));
    }

    @Test
    void theCurrentVersionWritesVersion1Bytes() throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(ChangeFeedSplitSerializer.VERSION_1);
        assertThat(
                        HexFormat.of()
                                .formatHex(
                                        serializer.serialize(
                                                ChangeFeedSplit.startingAt(START)
                                                        .withCursor("{\"c\":1}"))))
                .isEqualTo(V1_START_AND_CURSOR);
    }

    @Test
    void anUnknownVersionIsRejectedWithTheVersionsThisReleaseReads() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 99")
                .hasMessageContaining("[1]");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] valid = serializer.serialize(ChangeFeedSplit.startingAt(START));
        byte[] longer = new byte[valid.length + 1];
        System.arraycopy(valid, 0, longer, 0, valid.length);

        assertThatThrownBy(() -> serializer.deserialize(1, longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("trailing");
    }

    private void assertRoundTrip(ChangeFeedSplit split) throws IOException {
        byte[] bytes = serializer.serialize(split);
        assertThat(serializer.deserialize(serializer.getVersion(), bytes)).isEqualTo(split);
    }
}
