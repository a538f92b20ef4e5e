package dev.autoimport.connector.blob.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class ChangeFeedSourceBuilderTest {

    private static final BlobStorageConfig CONFIG =
            BlobStorageConfig.ofConnectionString(
                    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
                            + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
                    "data");
    private static final Instant START = Instant.parse("2025-03-01T10:20:00Z");
    private static final String CURSOR_VIA_LOOPBACK_IP =
            "{\"CursorVersion\":1,\"UrlHost\":\"127.0.0.1\",\"EndTime\":null,"
                    + "\"CurrentSegmentCursor\":null}";

    @Test
    void aSourceFromAStartTimeIsUnboundedAndStartsThere() {
        ChangeFeedSource source = ChangeFeedSource.forStartTime(CONFIG, List.of("docs/"), START);

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(source.initialSplit()).isEqualTo(ChangeFeedSplit.startingAt(START));
    }

    @Test
    void aSourceFromACursorStartsThere() {
        ChangeFeedSource source =
                ChangeFeedSource.builder()
                        .setStorageConfig(CONFIG)
                        .setStartCursor(CURSOR_VIA_LOOPBACK_IP)
                        .build();

        assertThat(source.initialSplit().cursor()).contains(CURSOR_VIA_LOOPBACK_IP);
    }

    @Test
    void theStorageConfigIsRequired() {
        assertThatThrownBy(() -> ChangeFeedSource.builder().setStartTime(START).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setStorageConfig");
    }

    @Test
    void aStartPositionIsRequired() {
        assertThatThrownBy(() -> ChangeFeedSource.builder().setStorageConfig(CONFIG).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setStartTime")
                .hasMessageContaining("setStartCursor");
    }

    @Test
    void startTimeAndCursorAreAlternatives() {
        assertThatThrownBy(
                        () ->
                                ChangeFeedSource.builder()
                                        .setStartTime(START)
                                        .setStartCursor(CURSOR_VIA_LOOPBACK_IP))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("alternatives");
    }

    @Test
    void aCursorTakenThroughAnotherHostNameIsRejectedBeforeTheJobRuns() {
        BlobStorageConfig viaLocalhost =
                BlobStorageConfig.ofConnectionString(
                        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
                                + "BlobEndpoint=http://localhost:10000/devstoreaccount1;",
                        "data");

        assertThatThrownBy(
                        () ->
                                ChangeFeedSource.builder()
                                        .setStorageConfig(viaLocalhost)
                                        .setStartCursor(CURSOR_VIA_LOOPBACK_IP)
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'127.0.0.1'")
                .hasMessageContaining("'localhost'");
    }

    @Test
    void somethingThatIsNotACursorIsRejected() {
        assertThatThrownBy(() -> ChangeFeedSource.builder().setStartCursor("2025-03-01"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a change-feed cursor");
    }

    @Test
    void prefixesWithALeadingSlashAreRejectedWithTheFix() {
        assertThatThrownBy(() -> ChangeFeedSource.builder().setPrefixes(List.of("/data/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pass 'data/' instead");
        assertThatThrownBy(() -> ChangeFeedSource.builder().setPrefixes(List.of()))
                .hasMessageContaining("List.of(\"\")");
        assertThatThrownBy(() -> ChangeFeedSource.builder().setPrefixes(Arrays.asList("a", null)))
                .hasMessageContaining("null");
    }

    @Test
    void pollIntervalAndPageSizeAreChecked() {
        assertThatThrownBy(() -> ChangeFeedSource.builder().setPollInterval(Duration.ZERO))
                .hasMessageContaining("busy loop");
        assertThatThrownBy(() -> ChangeFeedSource.builder().setPageSize(5001))
                .hasMessageContaining("between 1 and 5000");
        assertThatThrownBy(
                        () ->
                                ChangeFeedSource.builder()
                                        .setClockSkewTolerance(Duration.ofMinutes(-1)))
                .hasMessageContaining("negative");
    }

    @Test
    void aSourceForAHybridSwitchTakesItsStartTimeFromThePreviousEnumerator() throws Exception {
        ChangeFeedSourceFactory<SplitEnumerator<?, ?>> factory =
                ChangeFeedSource.builder()
                        .setStorageConfig(CONFIG)
                        .setPrefixes(List.of("docs/"))
                        .buildStartingAtSwitch(previous -> START);
        ChangeFeedSourceFactory<SplitEnumerator<?, ?>> shipped =
                InstantiationUtil.clone(factory, getClass().getClassLoader());

        assertThat(shipped.createStartingAt(START).initialSplit())
                .isEqualTo(ChangeFeedSplit.startingAt(START));
    }

    @Test
    void aSourceForAHybridSwitchChecksItsSettingsWhenBuilt() {
        assertThatThrownBy(
                        () -> ChangeFeedSource.builder().buildStartingAtSwitch(previous -> START))
                .hasMessageContaining("setStorageConfig");
        assertThatThrownBy(
                        () ->
                                ChangeFeedSource.builder()
                                        .setStorageConfig(CONFIG)
                                        .setStartTime(START)
                                        .buildStartingAtSwitch(previous -> START))
                .hasMessageContaining("at switch time");
    }

    @Test
    void theSourceIsSerializable() throws Exception {
        ChangeFeedSource source = ChangeFeedSource.forStartTime(CONFIG, List.of(""), START);

        assertThat(InstantiationUtil.clone(source).initialSplit()).isEqualTo(source.initialSplit());
    }
}
