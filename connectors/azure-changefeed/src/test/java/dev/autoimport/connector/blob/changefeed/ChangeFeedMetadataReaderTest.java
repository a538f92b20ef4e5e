package dev.autoimport.connector.blob.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeFeedMetadataReaderTest {

    @Test
    void lastConsumableIsReadFromTheServicesSegmentsJson() {
        String json =
                "{\"version\":0,\"lastConsumable\":\"2019-02-23T01:10:00.000Z\","
                        + "\"storageDiagnostics\":{\"version\":0,"
                        + "\"lastModifiedTime\":\"2019-02-23T02:24:00.556Z\","
                        + "\"data\":{\"aid\":\"55e551e3\",\"lfz\":\"2019-02-22T19:10:00.000Z\"}}}";

        assertThat(ChangeFeedMetadataReader.parseLastConsumable(bytes(json)))
                .isEqualTo(Instant.parse("2019-02-23T01:10:00Z"));
    }

    @Test
    void aSegmentsJsonWithoutLastConsumableGivesNothing() {
        assertThat(ChangeFeedMetadataReader.parseLastConsumable(bytes("{\"version\":0}"))).isNull();
    }

    @Test
    void theSegmentOfACursorIsFoundInsideTheSdksContinuationToken() {
        String cursor =
                "{\"CursorVersion\":1,\"UrlHost\":\"127.0.0.1\","
                        + "\"EndTime\":\"+999999999-12-31T23:59:59.999999999-18:00\","
                        + "\"CurrentSegmentCursor\":{\"ShardCursors\":[{\"CurrentChunkPath\":"
                        + "\"log/00/2025/03/01/1010/00000.avro\",\"BlockOffset\":3329,"
                        + "\"EventIndex\":2}],\"CurrentShardPath\":\"log/00/2025/03/01/1010/\","
                        + "\"SegmentPath\":\"idx/segments/2025/03/01/1010/meta.json\"}}";

        assertThat(ChangeFeedMetadataReader.segmentPathOf(cursor))
                .isEqualTo("idx/segments/2025/03/01/1010/meta.json");
    }

    @Test
    void somethingElseThanACursorIsRefusedByName() {
        assertThatThrownBy(() -> ChangeFeedMetadataReader.segmentPathOf("{\"CursorVersion\":1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a change-feed cursor");
        assertThatThrownBy(() -> ChangeFeedMetadataReader.segmentPathOf("not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a change-feed cursor");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
