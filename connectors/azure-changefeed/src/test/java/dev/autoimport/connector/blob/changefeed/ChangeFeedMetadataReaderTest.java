package dev.autoimport.connector.blob.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
