package dev.autoimport.connector.blob.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The change-feed source in a real MiniCluster, reading a written feed from a real Azurite. */
class ChangeFeedSourceITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String CONTAINER = "data";
    private static final Instant WALK_STARTED = Instant.parse("2025-03-01T10:20:00Z");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private BlobServiceClient service;
    private BlobContainerClient container;

    @BeforeEach
    void emptyFeed() {
        service = AZURITE.serviceClient();
        ChangeFeedWriter.wipe(service);
        container = AZURITE.createContainer(CONTAINER);
    }

    @Test
    void emitsExactlyTheChangesOfTheContainerUnderThePrefixes() throws Exception {
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 1, 4);
        AZURITE.createContainer("other");
        BlobClient a = upload("docs/a.txt", "alpha");
        BlobClient b = upload("docs/b.txt", "bravo!");
        Instant t = WALK_STARTED;

        FeedEvent tooOld =
                FeedEvent.created(CONTAINER, "docs/old.txt", "0x1", 1, "01", t.minusSeconds(1800));
        FeedEvent recent =
                FeedEvent.created(
                        CONTAINER, "docs/recent.txt", "0x2", 2, "02", t.minusSeconds(300));
        FeedEvent createdA = writer.created(a, t.plusSeconds(1));
        FeedEvent createdB = writer.created(b, t.plusSeconds(2));
        FeedEvent outsidePrefix =
                FeedEvent.created(CONTAINER, "logs/c.txt", "0x3", 3, "03", t.plusSeconds(3));
        FeedEvent otherContainer =
                FeedEvent.created("other", "docs/a.txt", "0x4", 4, "04", t.plusSeconds(4));
        FeedEvent control = FeedEvent.control(t.plusSeconds(5));
        FeedEvent tierChanged =
                FeedEvent.of(
                        "BlobTierChanged",
                        "SetBlobTier",
                        CONTAINER,
                        "docs/a.txt",
                        "0x5",
                        5,
                        writer.nextSequencer(),
                        t.plusSeconds(6));
        a.setMetadata(Map.of("permissions", "0600"));
        FeedEvent metadataOfA = writer.metadataUpdated(a, t.plusSeconds(7));
        FeedEvent snapshotOfB =
                FeedEvent.of(
                        "BlobSnapshotCreated",
                        "CreateSnapshot",
                        CONTAINER,
                        "docs/b.txt",
                        "0x6",
                        6,
                        writer.nextSequencer(),
                        t.plusSeconds(8));
        FeedEvent copyStarted =
                FeedEvent.of(
                        "BlobAsyncOperationInitiated",
                        "CopyBlob",
                        CONTAINER,
                        "docs/d.txt",
                        "0x7",
                        7,
                        writer.nextSequencer(),
                        t.plusSeconds(9));
        FeedEvent deletedB = writer.deleted(CONTAINER, "docs/b.txt", t.plusSeconds(10));
        FeedEvent last =
                FeedEvent.created(
                        CONTAINER,
                        "docs/zz-last",
                        "0x8",
                        8,
                        writer.nextSequencer(),
                        t.plusSeconds(11));
        writer.append(List.of(tooOld));
        writer.append(List.of(recent, createdA, createdB, outsidePrefix, otherContainer));
        writer.append(List.of(control, tierChanged, metadataOfA, snapshotOfB, copyStarted));
        writer.append(List.of(deletedB, last));
        writer.publish();

        CollectingSink<BlobChange> sink = CollectingSink.named("exact");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSource(
                        sourceBuilder().setPrefixes(List.of("docs/")).build(),
                        WatermarkStrategy.noWatermarks(),
                        "change-feed")
                .sinkTo(sink);
        JobClient job = env.executeAsync("exact changes");
        try {
            await().atMost(PATIENCE)
                    .until(
                            () ->
                                    sink.records().stream()
                                            .anyMatch(c -> c.blobName.equals("docs/zz-last")));
        } finally {
            job.cancel().get();
        }

        assertThat(sink.records())
                .containsExactly(
                        upsert(recent),
                        upsert(createdA),
                        upsert(createdB),
                        upsert(metadataOfA),
                        delete(deletedB),
                        upsert(last));
        assertThat(sink.records().get(3).etag)
                .isEqualTo(a.getProperties().getETag().replace("\"", ""));
    }

    @Test
    void picksUpEventsAppendedAfterTheJobStarted() throws Exception {
        ChangeFeedWriter writer = new ChangeFeedWriter(service);
        CollectingSink<BlobChange> sink = CollectingSink.named("tail");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSource(sourceBuilder().build(), WatermarkStrategy.noWatermarks(), "change-feed")
                .sinkTo(sink);
        JobClient job = env.executeAsync("tailing");
        List<FeedEvent> written = new ArrayList<>();
        try {
            // The feed has published nothing yet (no segments.json): the reader waits and polls.
            List<FeedEvent> first = writer.createdEvents(CONTAINER, "first-", 20, WALK_STARTED);
            appendAndPublish(writer, first, written);
            awaitNames(sink, written);

            List<FeedEvent> sameHour =
                    writer.createdEvents(
                            CONTAINER, "same-hour-", 20, WALK_STARTED.plusSeconds(900));
            appendAndPublish(writer, sameHour, written);
            awaitNames(sink, written);

            List<FeedEvent> nextHour =
                    writer.createdEvents(
                            CONTAINER, "next-hour-", 20, Instant.parse("2025-03-01T11:40:00Z"));
            appendAndPublish(writer, nextHour, written);
            awaitNames(sink, written);
        } finally {
            job.cancel().get();
        }

        assertThat(sink.records())
                .extracting(c -> c.blobName)
                .containsExactlyInAnyOrderElementsOf(names(written));
    }

    @Test
    void watermarksSayWhenEverythingPublishedWasReadAndPassDownstream() throws Exception {
        ChangeFeedWriter writer = new ChangeFeedWriter(service);
        CollectingSink<Tuple3<String, Long, Long>> sink = CollectingSink.named("watermarks");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSource(sourceBuilder().build(), WatermarkStrategy.noWatermarks(), "change-feed")
                .setParallelism(2) // one reader holds the split, the other is idle
                .process(new WatermarkSeenByEachChange())
                .setParallelism(1)
                .sinkTo(sink)
                .setParallelism(1);
        JobClient job = env.executeAsync("watermarks");
        List<FeedEvent> written = new ArrayList<>();
        List<Long> publishedAt = new ArrayList<>();
        try {
            for (int hour = 0; hour < 3; hour++) {
                Instant batchStart = WALK_STARTED.plus(Duration.ofHours(hour));
                appendAndPublish(
                        writer,
                        writer.createdEvents(CONTAINER, "h" + hour + "-", 10, batchStart),
                        written);
                long published = System.currentTimeMillis();
                publishedAt.add(published);
                await().atMost(PATIENCE)
                        .until(
                                () ->
                                        sink.watermarks().stream().anyMatch(w -> w >= published)
                                                && sink.records().size() == written.size());
            }
        } finally {
            job.cancel().get();
        }

        assertThat(sink.watermarks()).isSorted().doesNotHaveDuplicates();
        Map<String, Long> watermarkSeen =
                sink.records().stream().collect(Collectors.toMap(r -> r.f0, r -> r.f2));
        for (int hour = 1; hour < 3; hour++) {
            long previousBatchPublished = publishedAt.get(hour - 1);
            for (int i = 0; i < 10; i++) {
                assertThat(watermarkSeen.get("h" + hour + "-" + i))
                        .as("a change of hour %d comes after the previous batch was read", hour)
                        .isGreaterThanOrEqualTo(previousBatchPublished);
            }
        }
        assertThat(watermarkSeen.get("h0-0"))
                .as("nothing was read before the first batch")
                .isLessThan(publishedAt.get(0));
    }

    @Test
    void startsAsTheSecondSourceOfAHybridSourceAtTheTimeTheFirstOneReports() throws Exception {
        ChangeFeedWriter writer = new ChangeFeedWriter(service);
        List<FeedEvent> duringWalk =
                writer.createdEvents(CONTAINER, "changed-during-walk-", 5, WALK_STARTED);
        List<FeedEvent> written = new ArrayList<>();
        appendAndPublish(writer, duringWalk, written);
        long published = System.currentTimeMillis();
        DataGeneratorSource<BlobChange> listing =
                new DataGeneratorSource<>(
                        i -> BlobChange.listed("listed-" + i, "0x1", 0, 1, null, 0),
                        3,
                        TypeInformation.of(BlobChange.class));
        HybridSource<BlobChange> hybrid =
                HybridSource.<BlobChange, SplitEnumerator<?, ?>>builder(listing)
                        .addSource(
                                ChangeFeedSource.builder()
                                        .setStorageConfig(AZURITE.storageConfig(CONTAINER))
                                        .setPollInterval(Duration.ofMillis(100))
                                        .<SplitEnumerator<?, ?>>buildStartingAtSwitch(
                                                listingEnumerator -> WALK_STARTED),
                                Boundedness.CONTINUOUS_UNBOUNDED)
                        .build();

        CollectingSink<BlobChange> sink = CollectingSink.named("hybrid");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSource(
                        hybrid,
                        WatermarkStrategy.noWatermarks(),
                        "listing then change feed",
                        TypeInformation.of(BlobChange.class))
                .sinkTo(sink);
        JobClient job = env.executeAsync("hybrid");
        try {
            awaitNames(sink, written);
            // Passes although the listing's reader never released its split's output.
            await().atMost(PATIENCE)
                    .until(() -> sink.watermarks().stream().anyMatch(w -> w >= published));
        } finally {
            job.cancel().get();
        }

        List<String> received =
                sink.records().stream()
                        .map(c -> c.blobName + " " + c.origin)
                        .collect(Collectors.toList());
        // The whole listing first; then the feed, whose order holds per blob only.
        assertThat(received.subList(0, 3))
                .containsExactly("listed-0 LISTING", "listed-1 LISTING", "listed-2 LISTING");
        assertThat(received.subList(3, received.size()))
                .containsExactlyInAnyOrderElementsOf(
                        names(duringWalk).stream()
                                .map(n -> n + " CHANGE_FEED")
                                .collect(Collectors.toList()));
    }

    @Test
    void aRestoreFromACheckpointResumesAtTheCursorWithoutLosingEvents() throws Exception {
        ChangeFeedWriter writer = new ChangeFeedWriter(service);
        List<FeedEvent> written = new ArrayList<>();
        List<FeedEvent> beforeFailure = writer.createdEvents(CONTAINER, "a-", 500, WALK_STARTED);
        appendAndPublish(writer, beforeFailure, written);

        FailOnceAfterCheckpoint.reset();
        int pageSize = 50;
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(100));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        CollectingSink<BlobChange> sink = CollectingSink.named("restore");
        env.fromSource(
                        sourceBuilder().setPageSize(pageSize).build(),
                        WatermarkStrategy.noWatermarks(),
                        "change-feed")
                .map(new FailOnceAfterCheckpoint(beforeFailure.size()))
                .sinkTo(sink);
        JobClient job = env.executeAsync("restore");
        try {
            await().atMost(PATIENCE).until(() -> FailOnceAfterCheckpoint.checkpointedAll);
            appendAndPublish(
                    writer,
                    writer.createdEvents(CONTAINER, "b-", 500, WALK_STARTED.plusSeconds(600)),
                    written);
            appendAndPublish(
                    writer,
                    writer.createdEvents(
                            CONTAINER, "c-", 200, Instant.parse("2025-03-01T11:30:00Z")),
                    written);
            awaitNames(sink, written);
        } finally {
            job.cancel().get();
        }

        assertThat(FailOnceAfterCheckpoint.failed).isTrue();
        Map<String, Long> deliveries =
                sink.records().stream()
                        .collect(Collectors.groupingBy(c -> c.blobName, Collectors.counting()));
        assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(names(written));
        long repeated = deliveries.values().stream().mapToLong(n -> n - 1).sum();
        // The checkpoint covered all of batch a, so at most its last page comes again.
        assertThat(repeated).isLessThanOrEqualTo(pageSize);
    }

    private ChangeFeedSourceBuilder sourceBuilder() {
        return ChangeFeedSource.builder()
                .setStorageConfig(AZURITE.storageConfig(CONTAINER))
                .setStartTime(WALK_STARTED)
                .setPollInterval(Duration.ofMillis(100));
    }

    private BlobClient upload(String name, String content) {
        BlobClient blob = container.getBlobClient(name);
        blob.upload(BinaryData.fromString(content), true);
        return blob;
    }

    private static void appendAndPublish(
            ChangeFeedWriter writer, List<FeedEvent> events, List<FeedEvent> written) {
        writer.append(events);
        writer.publish();
        written.addAll(events);
    }

    private static void awaitNames(CollectingSink<BlobChange> sink, List<FeedEvent> written) {
        List<String> expected = names(written);
        await().atMost(PATIENCE)
                .until(
                        () ->
                                sink.records().stream()
                                        .map(c -> c.blobName)
                                        .collect(Collectors.toSet())
                                        .containsAll(expected));
    }

    private static List<String> names(List<FeedEvent> events) {
        return events.stream().map(FeedEvent::blobName).collect(Collectors.toList());
    }

    private static BlobChange upsert(FeedEvent event) {
        BlobChange change = fromFeed(event, BlobChange.Type.UPSERT);
        change.etag = event.etag();
        change.contentLength = event.contentLength();
        return change;
    }

    private static BlobChange delete(FeedEvent event) {
        return fromFeed(event, BlobChange.Type.DELETE);
    }

    private static BlobChange fromFeed(FeedEvent event, BlobChange.Type type) {
        BlobChange change = new BlobChange();
        change.blobName = event.blobName();
        change.type = type;
        change.origin = BlobChange.Origin.CHANGE_FEED;
        change.sequencer = event.sequencer();
        change.eventTimeMillis = event.eventTime().toEpochMilli();
        return change;
    }

    /** Emits (blob name, timestamp, the watermark current when the change arrived). */
    private static final class WatermarkSeenByEachChange
            extends ProcessFunction<BlobChange, Tuple3<String, Long, Long>> {

        @Override
        public void processElement(
                BlobChange change, Context ctx, Collector<Tuple3<String, Long, Long>> out) {
            out.collect(
                    Tuple3.of(
                            change.blobName,
                            ctx.timestamp(),
                            ctx.timerService().currentWatermark()));
        }
    }

    /**
     * Fails the job once: at the first record after a checkpoint has completed that covered at
     * least the given number of records.
     */
    private static final class FailOnceAfterCheckpoint
            implements MapFunction<BlobChange, BlobChange>,
                    CheckpointedFunction,
                    CheckpointListener {

        static volatile boolean checkpointedAll;
        static volatile boolean failed;
        private static final AtomicBoolean FAILING = new AtomicBoolean();

        private final long recordsToCover;
        private final Map<Long, Long> recordsAtCheckpoint = new HashMap<>();
        private long records;

        FailOnceAfterCheckpoint(long recordsToCover) {
            this.recordsToCover = recordsToCover;
        }

        static void reset() {
            checkpointedAll = false;
            failed = false;
            FAILING.set(false);
        }

        @Override
        public BlobChange map(BlobChange change) {
            if (checkpointedAll && !FAILING.getAndSet(true)) {
                failed = true;
                throw new IllegalStateException("failing once, as the test asks");
            }
            records++;
            return change;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            recordsAtCheckpoint.put(context.getCheckpointId(), records);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Long covered = recordsAtCheckpoint.get(checkpointId);
            if (covered != null && covered >= recordsToCover) {
                checkpointedAll = true;
            }
        }
    }
}
