package dev.autoimport.connector.blob.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingSourceEnumerator;
import dev.autoimport.connector.blob.listing.metrics.BlobListingMetrics;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BlobListingSourceITCase {

    private static final String CONTAINER = "listing";
    private static final int PAGE_SIZE = 7;

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    private static List<BlobChange> uploaded;

    @BeforeAll
    static void uploadBlobs() throws Exception {
        uploaded = TestBlobs.upload(AZURITE.createContainer(CONTAINER), ListingFixture.blobs(50));
    }

    @Test
    void emitsEveryBlobExactlyOnceWithItsListedProperties() throws Exception {
        StreamExecutionEnvironment env = environment();
        CloseableIterator<BlobChange> results =
                env.fromSource(source().build(), WatermarkStrategy.noWatermarks(), "listing")
                        .collectAsync();
        JobClient job = env.executeAsync("list everything");
        List<BlobChange> listed = drain(results);
        job.getJobExecutionResult().get();

        assertThat(listed).hasSize(uploaded.size());
        assertThat(listed)
                .map(TestBlobs::withoutListingTime)
                .containsExactlyInAnyOrderElementsOf(uploaded);
        assertThat(listed)
                .allSatisfy(
                        change -> {
                            assertThat(change.origin).isEqualTo(BlobChange.Origin.LISTING);
                            assertThat(change.type).isEqualTo(BlobChange.Type.UPSERT);
                            assertThat(change.eventTimeMillis).isPositive();
                        });
        assertThat(sumOfCounters(job.getJobID(), BlobListingMetrics.BLOBS_WALKED))
                .isEqualTo(uploaded.size());
        assertThat(metricsNamed(job.getJobID(), BlobListingMetrics.BLOB_WALK_RATE))
                .hasSize(2)
                .allSatisfy(rate -> assertThat(rate).isInstanceOf(Meter.class));
    }

    @Test
    void listsOnlyBlobsUnderTheGivenPrefixes() throws Exception {
        List<String> twoPrefixes =
                names(run(source().setPrefixes(List.of("alpha/", "données/")).build()));
        assertThat(twoPrefixes)
                .containsExactlyInAnyOrderElementsOf(namesStartingWith("alpha/", "données/"));

        // A single prefix is cut at its first level, and it matches as a string, not a directory.
        List<String> stringPrefix = names(run(source().setPrefixes(List.of("be")).build()));
        assertThat(stringPrefix).containsExactlyInAnyOrderElementsOf(namesStartingWith("be"));
        assertThat(stringPrefix).contains("bell.txt", "beta/sub 0");
    }

    @Test
    void handsTheWalkStartTimeToTheNextSourceOfAHybridSource() throws Exception {
        HybridSource<BlobChange> hybrid =
                HybridSource.<BlobChange, BlobListingSourceEnumerator>builder(
                                source().setPrefixes(List.of("gamma/")).build())
                        .addSource(
                                switchContext ->
                                        startingAt(
                                                switchContext
                                                        .getPreviousEnumerator()
                                                        .getWalkStartMillis()),
                                Boundedness.BOUNDED)
                        .build();

        List<BlobChange> changes = run(hybrid);

        List<BlobChange> handedOver =
                changes.stream().filter(c -> c.origin == BlobChange.Origin.CHANGE_FEED).toList();
        List<BlobChange> listed =
                changes.stream().filter(c -> c.origin == BlobChange.Origin.LISTING).toList();
        assertThat(names(listed)).containsExactlyInAnyOrderElementsOf(namesStartingWith("gamma/"));
        assertThat(handedOver).hasSize(1);
        long walkStart = handedOver.get(0).eventTimeMillis;
        assertThat(walkStart)
                .as("the walk starts before its first page is listed")
                .isPositive()
                .isLessThanOrEqualTo(
                        listed.stream().mapToLong(c -> c.eventTimeMillis).min().getAsLong());
    }

    @Test
    void namesTheContainerWhenItDoesNotExist() {
        for (List<String> prefixes : List.of(List.of(""), List.of("a/", "b/"))) {
            BlobListingSource source =
                    BlobListingSource.builder()
                            .setStorageConfig(AZURITE.storageConfig("no-such-container"))
                            .setPrefixes(prefixes)
                            .build();

            assertThatThrownBy(() -> run(source))
                    .as("prefixes %s", prefixes)
                    .satisfies(
                            failure ->
                                    assertThat(
                                                    ExceptionUtils.findThrowableWithMessage(
                                                            failure,
                                                            "Container 'no-such-container' does"
                                                                    + " not exist"))
                                            .isPresent());
        }
    }

    /**
     * Stands in for the change-feed source: emits one change whose time is the start position it
     * was given.
     */
    private static DataGeneratorSource<BlobChange> startingAt(long walkStartMillis) {
        return new DataGeneratorSource<>(
                index -> {
                    BlobChange start = new BlobChange();
                    start.blobName = "change feed start";
                    start.origin = BlobChange.Origin.CHANGE_FEED;
                    start.type = BlobChange.Type.UPSERT;
                    start.eventTimeMillis = walkStartMillis;
                    return start;
                },
                1,
                TypeInformation.of(BlobChange.class));
    }

    private static BlobListingSourceBuilder source() {
        BlobStorageConfig config = AZURITE.storageConfig(CONTAINER);
        return BlobListingSource.builder().setStorageConfig(config).setPageSize(PAGE_SIZE);
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        // BlobChange must travel with Flink's own serializers, never Kryo.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static List<BlobChange> run(Source<BlobChange, ?, ?> source) throws Exception {
        StreamExecutionEnvironment env = environment();
        return drain(
                env.fromSource(
                                source,
                                WatermarkStrategy.noWatermarks(),
                                "listing",
                                TypeInformation.of(BlobChange.class))
                        .executeAndCollect());
    }

    private static List<BlobChange> drain(CloseableIterator<BlobChange> results) throws Exception {
        List<BlobChange> changes = new ArrayList<>();
        try {
            results.forEachRemaining(changes::add);
        } finally {
            results.close();
        }
        return changes;
    }

    private static List<String> names(List<BlobChange> changes) {
        return changes.stream().map(c -> c.blobName).toList();
    }

    private static List<String> namesStartingWith(String... prefixes) {
        return uploaded.stream()
                .map(c -> c.blobName)
                .filter(name -> List.of(prefixes).stream().anyMatch(name::startsWith))
                .toList();
    }

    /** The metric of that name in the listing's group, one per reader of the job. */
    private static List<Metric> metricsNamed(JobID job, String name) {
        String suffix = "." + BlobListingSourceBuilder.DEFAULT_METRIC_GROUP_NAME + "." + name;
        List<Metric> found = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                METRICS.getMetricsByGroup().entrySet()) {
            MetricGroup metricGroup = group.getKey();
            Metric metric = group.getValue().get(name);
            if (metric != null
                    && job.toString().equals(metricGroup.getAllVariables().get("<job_id>"))
                    && metricGroup.getMetricIdentifier(name).endsWith(suffix)) {
                found.add(metric);
            }
        }
        return found;
    }

    private static long sumOfCounters(JobID job, String name) {
        return metricsNamed(job, name).stream().mapToLong(m -> ((Counter) m).getCount()).sum();
    }
}
