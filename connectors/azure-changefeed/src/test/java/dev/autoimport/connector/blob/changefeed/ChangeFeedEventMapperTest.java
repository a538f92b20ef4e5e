package dev.autoimport.connector.blob.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.changefeed.implementation.models.InternalBlobChangefeedEvent;
import com.azure.storage.blob.changefeed.implementation.models.InternalBlobChangefeedEventData;
import com.azure.storage.blob.changefeed.models.BlobChangefeedEvent;
import com.azure.storage.blob.changefeed.models.BlobChangefeedEventType;
import com.azure.storage.blob.models.BlobType;
import dev.autoimport.connector.blob.BlobChange;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChangeFeedEventMapperTest {

    private static final Instant TIME = Instant.parse("2025-03-01T10:20:00Z");
    private static final String SEQUENCER = "00000000000000010000000000000002000000000000001d";

    private final ChangeFeedEventMapper mapper =
            new ChangeFeedEventMapper("data", List.of("docs/", "img"), TIME.toEpochMilli() - 1000);

    @Test
    void aCreatedBlobBecomesAnUpsertWithEtagLengthSequencerAndTime() {
        BlobChange change = mapper.toBlobChange(event("BlobCreated", "data", "docs/a.txt", TIME));

        assertThat(change).isNotNull();
        assertThat(change.blobName).isEqualTo("docs/a.txt");
        assertThat(change.type).isEqualTo(BlobChange.Type.UPSERT);
        assertThat(change.origin).isEqualTo(BlobChange.Origin.CHANGE_FEED);
        assertThat(change.etag).isEqualTo("0x8DDE0F4A1B2C3D4");
        assertThat(change.contentLength).isEqualTo(42L);
        assertThat(change.sequencer).isEqualTo(SEQUENCER);
        assertThat(change.eventTimeMillis).isEqualTo(TIME.toEpochMilli());
        assertThat(change.metadata).isNull();
        assertThat(change.lastModifiedMillis).isZero();
    }

    @Test
    void aDeletedBlobBecomesADeleteWithoutEtag() {
        BlobChange change = mapper.toBlobChange(event("BlobDeleted", "data", "docs/a.txt", TIME));

        assertThat(change.type).isEqualTo(BlobChange.Type.DELETE);
        assertThat(change.etag).isNull();
        assertThat(change.contentLength).isEqualTo(-1L);
        assertThat(change.sequencer).isEqualTo(SEQUENCER);
    }

    @Test
    void aPropertiesOrMetadataUpdateBecomesAnUpsert() {
        BlobChange change =
                mapper.toBlobChange(event("BlobPropertiesUpdated", "data", "img/x.png", TIME));

        assertThat(change.type).isEqualTo(BlobChange.Type.UPSERT);
        assertThat(change.etag).isEqualTo("0x8DDE0F4A1B2C3D4");
    }

    @Test
    void anUnknownEventTypeIsKeptAsAnUpsertBecauseLosingAChangeIsWorse() {
        BlobChange change =
                mapper.toBlobChange(event("BlobContentRewritten", "data", "docs/a", TIME));

        assertThat(change.type).isEqualTo(BlobChange.Type.UPSERT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "BlobTierChanged",
                "BlobSnapshotCreated",
                "BlobAsyncOperationInitiated",
                "RestorePointMarkerCreated",
                "Control"
            })
    void typesThatChangeNothingVisibleAreDropped(String type) {
        assertThat(mapper.toBlobChange(event(type, "data", "docs/a.txt", TIME))).isNull();
    }

    @Test
    void otherContainersAreDroppedEvenWithAMatchingName() {
        assertThat(mapper.toBlobChange(event("BlobCreated", "data2", "docs/a.txt", TIME))).isNull();
        assertThat(mapper.toBlobChange(event("BlobCreated", "dat", "docs/a.txt", TIME))).isNull();
    }

    @Test
    void namesOutsideThePrefixesAreDroppedAndPrefixesArePlainStringPrefixes() {
        assertThat(mapper.toBlobChange(event("BlobCreated", "data", "logs/a.txt", TIME))).isNull();
        assertThat(mapper.toBlobChange(event("BlobCreated", "data", "documents/a", TIME))).isNull();
        assertThat(mapper.toBlobChange(event("BlobCreated", "data", "imgs/a.png", TIME)))
                .isNotNull();
    }

    @Test
    void theEmptyPrefixKeepsEveryName() {
        ChangeFeedEventMapper everything =
                new ChangeFeedEventMapper("data", List.of(""), Long.MIN_VALUE);

        assertThat(everything.toBlobChange(event("BlobCreated", "data", "any/name", TIME)))
                .isNotNull();
    }

    @Test
    void eventsBeforeTheLowerTimeBoundAreDropped() {
        assertThat(
                        mapper.toBlobChange(
                                event("BlobCreated", "data", "docs/a", TIME.minusSeconds(1))))
                .isNotNull();
        assertThat(
                        mapper.toBlobChange(
                                event("BlobCreated", "data", "docs/a", TIME.minusSeconds(2))))
                .isNull();
    }

    @Test
    void subjectsThatAreNotBlobsAreDropped() {
        BlobChangefeedEvent containerEvent =
                new InternalBlobChangefeedEvent(
                        "topic",
                        "/blobServices/default/containers/data",
                        BlobChangefeedEventType.fromString("BlobCreated"),
                        TIME.atOffset(ZoneOffset.UTC),
                        "id",
                        null,
                        3L,
                        "1");

        assertThat(mapper.toBlobChange(containerEvent)).isNull();
    }

    @Test
    void quotedEtagsLoseTheirQuotes() {
        assertThat(ChangeFeedEventMapper.withoutQuotes("\"0x1\"")).isEqualTo("0x1");
        assertThat(ChangeFeedEventMapper.withoutQuotes("0x1")).isEqualTo("0x1");
        assertThat(ChangeFeedEventMapper.withoutQuotes(null)).isNull();
    }

    private static BlobChangefeedEvent event(
            String type, String container, String name, Instant time) {
        InternalBlobChangefeedEventData data =
                new InternalBlobChangefeedEventData(
                        "PutBlob",
                        "client-request",
                        "request",
                        "0x8DDE0F4A1B2C3D4",
                        "application/octet-stream",
                        42L,
                        BlobType.BLOCK_BLOB,
                        null,
                        null,
                        null,
                        "https://account.blob.core.windows.net/" + container + "/" + name,
                        false,
                        SEQUENCER);
        return new InternalBlobChangefeedEvent(
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a",
                "/blobServices/default/containers/" + container + "/blobs/" + name,
                BlobChangefeedEventType.fromString(type),
                time.atOffset(ZoneOffset.UTC),
                "id-" + name,
                data,
                3L,
                "1");
    }
}
