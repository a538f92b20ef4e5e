package dev.autoimport.connector.blob.changefeed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.changefeed.BlobChangefeedClient;
import com.azure.storage.blob.changefeed.BlobChangefeedClientBuilder;
import com.azure.storage.blob.changefeed.BlobChangefeedPagedIterable;
import com.azure.storage.blob.changefeed.BlobChangefeedPagedResponse;
import com.azure.storage.blob.changefeed.models.BlobChangefeedEvent;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The writer's feed as the real change-feed SDK reads it from a real Azurite. */
class ChangeFeedWriterITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final String CONTAINER = "data";
    private static final Instant TEN_TWENTY = Instant.parse("2025-03-01T10:20:00Z");

    private BlobServiceClient service;
    private BlobChangefeedClient feed;

    @BeforeEach
    void emptyFeed() {
        service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        feed = new BlobChangefeedClientBuilder(service).buildClient();
    }

    @Test
    void eventsOfSeveralChunksAndTwoHourlySegmentsAreAllReadInPerBlobOrder() {
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 2, 7);
        List<FeedEvent> written = new ArrayList<>();
        Instant t = TEN_TWENTY;
        for (int round = 0; round < 3; round++) {
            List<FeedEvent> chunk = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                t = t.plusSeconds(10);
                String name = "dir/blob-" + i;
                chunk.add(
                        round == 1 && i % 5 == 0
                                ? writer.deleted(CONTAINER, name, t)
                                : FeedEvent.created(
                                        CONTAINER,
                                        name,
                                        "0x" + round + i,
                                        i,
                                        writer.nextSequencer(),
                                        t));
            }
            writer.append(chunk);
            written.addAll(chunk);
        }
        t = Instant.parse("2025-03-01T11:15:00Z"); // the next hourly segment, begun at 11:10
        List<FeedEvent> nextHour = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            nextHour.add(writer.deleted(CONTAINER, "dir/blob-" + i, t.plusSeconds(i)));
        }
        writer.append(nextHour);
        written.addAll(nextHour);
        writer.publish();

        List<BlobChangefeedEvent> read =
                readAll(
                                feed.getEvents(
                                        TEN_TWENTY
                                                .minus(Duration.ofHours(1))
                                                .atOffset(ZoneOffset.UTC),
                                        null),
                                5000)
                        .events();

        assertThat(read)
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyInAnyOrderElementsOf(ids(written));
        assertThat(sequencersPerBlob(read)).isEqualTo(sequencersPerBlobOf(written));
        assertThat(feedBlobs("log/00/2025/03/01/1010/")).hasSize(3);
        assertThat(feedBlobs("idx/segments/2025/03/01/"))
                .containsExactly(
                        "idx/segments/2025/03/01/1010/meta.json",
                        "idx/segments/2025/03/01/1110/meta.json");
    }

    @Test
    void theSdkReadsEventsFromRealBlobsWithTheirEtagLengthAndType() {
        BlobContainerClient container = AZURITE.createContainer(CONTAINER);
        BlobClient blob = container.getBlobClient("docs/report.txt");
        blob.upload(BinaryData.fromString("twelve bytes"), true);
        String uploadedEtag = blob.getProperties().getETag();
        ChangeFeedWriter writer = new ChangeFeedWriter(service);
        FeedEvent created = writer.created(blob, TEN_TWENTY);
        blob.setMetadata(Map.of("permissions", "0640"));
        FeedEvent updated = writer.metadataUpdated(blob, TEN_TWENTY.plusSeconds(2));
        writer.append(List.of(created, FeedEvent.control(TEN_TWENTY.plusSeconds(1)), updated));
        writer.publish();

        List<BlobChangefeedEvent> read = readAll(feed.getEvents(), 5000).events();

        assertThat(read)
                .extracting(e -> e.getEventType().toString())
                .containsExactly("BlobCreated", "Control", "BlobPropertiesUpdated");
        BlobChangefeedEvent first = read.get(0);
        assertThat(first.getSubject())
                .isEqualTo("/blobServices/default/containers/data/blobs/docs/report.txt");
        assertThat(first.getEventTime().toInstant()).isEqualTo(TEN_TWENTY);
        assertThat(first.getData().getContentLength()).isEqualTo(12L);
        assertThat(first.getData().getETag()).isEqualTo(uploadedEtag.replace("\"", ""));
        assertThat(read.get(2).getData().getETag())
                .isEqualTo(blob.getProperties().getETag().replace("\"", ""));
        assertThat(read.get(2).getData().getSequencer())
                .isGreaterThan(first.getData().getSequencer());
    }

    @Test
    void aCursorResumesAfterItsEventAndPicksUpNewChunksAndNewSegments() {
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 2, 3);
        List<FeedEvent> first = writer.createdEvents(CONTAINER, "a-", 12, TEN_TWENTY);
        writer.append(first);
        writer.publish();
        Read firstRead =
                readAll(
                        feed.getEvents(
                                TEN_TWENTY.minus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC),
                                null),
                        5000);
        assertThat(firstRead.events())
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyInAnyOrderElementsOf(ids(first));

        // More events in the same (current) hour: a new chunk per shard.
        List<FeedEvent> sameHour =
                writer.createdEvents(CONTAINER, "b-", 8, TEN_TWENTY.plusSeconds(600));
        writer.append(sameHour);
        writer.publish();
        Read secondRead = readAll(feed.getEvents(firstRead.lastCursor()), 5000);
        assertThat(secondRead.events())
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyInAnyOrderElementsOf(ids(sameHour));

        // A new hourly segment: visible once lastConsumable covers the segment before it.
        List<FeedEvent> nextHour =
                writer.createdEvents(CONTAINER, "c-", 5, Instant.parse("2025-03-01T11:30:00Z"));
        writer.append(nextHour);
        writer.publish();
        Read thirdRead = readAll(feed.getEvents(secondRead.lastCursor()), 5000);
        assertThat(thirdRead.events())
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyInAnyOrderElementsOf(ids(nextHour));

        // Nothing new: no page, hence no new cursor.
        assertThat(readAll(feed.getEvents(thirdRead.lastCursor()), 5000).events()).isEmpty();
    }

    @Test
    void segmentsBeyondTheHourAfterLastConsumableStayInvisibleUntilPublished() {
        ChangeFeedWriter writer = new ChangeFeedWriter(service);
        List<FeedEvent> tenOClock = writer.createdEvents(CONTAINER, "a-", 3, TEN_TWENTY);
        writer.append(tenOClock);
        writer.publish();
        assertThat(writer.lastConsumable()).contains(Instant.parse("2025-03-01T09:10:00Z"));
        List<FeedEvent> twelveOClock =
                writer.createdEvents(CONTAINER, "b-", 3, Instant.parse("2025-03-01T12:20:00Z"));
        writer.append(twelveOClock);

        assertThat(readAll(feed.getEvents(), 5000).events())
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyInAnyOrderElementsOf(ids(tenOClock));

        writer.publish();
        assertThat(writer.lastConsumable()).contains(Instant.parse("2025-03-01T11:10:00Z"));
        assertThat(readAll(feed.getEvents(), 5000).events()).hasSize(6);
        assertThatThrownBy(
                        () ->
                                writer.append(
                                        writer.createdEvents(
                                                CONTAINER, "x-", 1, TEN_TWENTY.plusSeconds(7200))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("time order");
    }

    @Test
    void aCursorFromInsideAChunkResumesAtTheNextEvent() {
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 1, 4);
        List<FeedEvent> written = writer.createdEvents(CONTAINER, "a-", 30, TEN_TWENTY);
        writer.append(written);
        writer.publish();

        BlobChangefeedPagedResponse firstPage =
                feed.getEvents().iterableByPage(6).iterator().next();
        List<BlobChangefeedEvent> rest =
                readAll(feed.getEvents(firstPage.getContinuationToken()), 5000).events();

        assertThat(firstPage.getValue())
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyElementsOf(ids(written.subList(0, 6)));
        assertThat(rest)
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyElementsOf(ids(written.subList(6, 30)));
    }

    /**
     * Pins an SDK behaviour the split reader guards against: a cursor whose segment the feed's
     * retention has deleted resumes at the next segment, and the rest of the deleted one is skipped
     * without an error.
     */
    @Test
    void aCursorWhoseSegmentIsDeletedSilentlySkipsToTheNextSegment() {
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 1, 4);
        writer.append(writer.createdEvents(CONTAINER, "a-", 30, TEN_TWENTY));
        writer.publish();
        String cursor = feed.getEvents().iterableByPage(6).iterator().next().getContinuationToken();
        List<FeedEvent> later =
                writer.createdEvents(CONTAINER, "b-", 5, Instant.parse("2025-03-01T11:30:00Z"));
        writer.append(later);
        writer.publish();

        BlobContainerClient feedContainer =
                service.getBlobContainerClient(ChangeFeedWriter.FEED_CONTAINER);
        List<String> tenOClock = feedBlobs("idx/segments/2025/03/01/1010/");
        tenOClock.addAll(feedBlobs("log/00/2025/03/01/1010/"));
        assertThat(tenOClock).hasSize(2);
        tenOClock.forEach(name -> feedContainer.getBlobClient(name).delete());

        assertThat(readAll(feed.getEvents(cursor), 5000).events())
                .extracting(BlobChangefeedEvent::getId)
                .containsExactlyElementsOf(ids(later));
    }

    private List<String> feedBlobs(String prefix) {
        return service
                .getBlobContainerClient(ChangeFeedWriter.FEED_CONTAINER)
                .listBlobs(new ListBlobsOptions().setPrefix(prefix), null)
                .stream()
                .map(BlobItem::getName)
                .collect(Collectors.toList());
    }

    private static List<String> ids(List<FeedEvent> events) {
        return events.stream().map(FeedEvent::id).collect(Collectors.toList());
    }

    private static Map<String, List<String>> sequencersPerBlob(List<BlobChangefeedEvent> events) {
        Map<String, List<String>> perBlob = new LinkedHashMap<>();
        for (BlobChangefeedEvent e : events) {
            perBlob.computeIfAbsent(e.getSubject(), s -> new ArrayList<>())
                    .add(e.getData().getSequencer());
        }
        return perBlob;
    }

    private static Map<String, List<String>> sequencersPerBlobOf(List<FeedEvent> events) {
        Map<String, List<String>> perBlob = new LinkedHashMap<>();
        for (FeedEvent e : events) {
            perBlob.computeIfAbsent(e.subject(), s -> new ArrayList<>()).add(e.sequencer());
        }
        return perBlob;
    }

    private static Read readAll(BlobChangefeedPagedIterable iterable, int pageSize) {
        List<BlobChangefeedEvent> events = new ArrayList<>();
        String cursor = null;
        for (BlobChangefeedPagedResponse page : iterable.iterableByPage(pageSize)) {
            events.addAll(page.getValue());
            cursor = page.getContinuationToken();
        }
        return new Read(events, cursor);
    }

    private record Read(List<BlobChangefeedEvent> events, String lastCursor) {}
}
