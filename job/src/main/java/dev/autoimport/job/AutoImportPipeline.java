package dev.autoimport.job;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.ChangeFeedSource;
import dev.autoimport.connector.blob.listing.BlobListingSource;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingSourceEnumerator;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreSink;
import dev.autoimport.connector.lustre.RepairSchedule;
import dev.autoimport.job.decision.ImportPolicy;
import dev.autoimport.job.decision.PathDecisionFunction;
import dev.autoimport.job.ops.OperationsOperator;
import dev.autoimport.job.ops.OperationsSettings;
import dev.autoimport.job.ops.RootLease;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Assembles the job: blob changes → keyBy(path) → per-path decision → Lustre writer → outcomes →
 * one operations operator.
 *
 * <p>Operator UIDs are fixed here and must never change: savepoints find their state by them.
 */
public final class AutoImportPipeline {

    /** The import job's source: the listing alone. */
    public static final String LISTING_SOURCE_UID = "blob-listing-source";

    /** The auto-import job's source: the listing, then the change feed (a hybrid source). */
    public static final String CHANGE_SOURCE_UID = "blob-change-source";

    public static final String DECISION_UID = "path-decisions";

    /** The writer: kept from when it was a Sink V2 writer, so that savepoints map onto it. */
    public static final String SINK_UID = "lustre-sink";

    public static final String OPERATIONS_UID = "operations";
    public static final String OPERATIONS_END_UID = "operations-end";

    private AutoImportPipeline() {}

    /**
     * Job-level settings: checkpointing and the state backend as the cluster configures them (the
     * job's defaults only where it sets nothing), and this build's version as a job parameter; see
     * {@link JobEnvironment}.
     */
    public static void configure(StreamExecutionEnvironment env, JobSettings settings) {
        JobEnvironment.configure(env, settings);
    }

    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        build(env, settings, null, null);
    }

    static void build(
            StreamExecutionEnvironment env,
            JobSettings settings,
            MapFunction<BlobChange, BlobChange> afterSource) {
        build(env, settings, null, afterSource);
    }

    /**
     * @param lease the Lustre root's lease taken at submission (see {@link RootLease}); null to
     *     have the job take a new one when it starts
     * @param afterSource test hook applied right after the source (e.g. to inject a failure); null
     *     in production
     */
    public static void build(
            StreamExecutionEnvironment env,
            JobSettings settings,
            RootLease lease,
            MapFunction<BlobChange, BlobChange> afterSource) {
        boolean continuous = settings.mode == JobMode.AUTO_IMPORT;
        // The change-feed source emits its own watermarks (when everything published was read);
        // a generating strategy would only add event-time guesses.
        DataStream<BlobChange> changes =
                env.fromSource(
                                continuous ? listingThenChangeFeed(settings) : listing(settings),
                                WatermarkStrategy.noWatermarks(),
                                continuous ? "blob listing, then change feed" : "blob listing",
                                TypeInformation.of(BlobChange.class))
                        .uid(continuous ? CHANGE_SOURCE_UID : LISTING_SOURCE_UID);
        if (afterSource != null) {
            changes = changes.map(afterSource).uid("test-hook").name("test hook");
        }
        DataStream<LustreAction> decided =
                changes.keyBy(new PathKeySelector())
                        .process(
                                new PathDecisionFunction(settings),
                                TypeInformation.of(LustreAction.class))
                        .uid(DECISION_UID)
                        .name("per-path decisions");
        // The decisions keep the partitioning by path: the writer keeps its repairs under the
        // same keys, with no shuffle in between.
        KeyedStream<LustreAction, String> actions =
                DataStreamUtils.reinterpretAsKeyedStream(
                        decided, new PathKeySelector.OfActions(), Types.STRING);
        DataStream<LustreAction> outcomes =
                LustreSink.builder()
                        .setRoot(settings.lustreRoot)
                        .setContentSource(new BlobContentSource(settings.storage))
                        .setPolicy(new ImportPolicy(settings.conflictMode, settings.allowSetuid))
                        .setMaxConcurrentActions(settings.maxConcurrentWrites)
                        .setDryRun(settings.dryRun)
                        // The import job's end leaves no time for later repairs.
                        .setRepairSchedule(
                                continuous
                                        ? RepairSchedule.repairing(
                                                settings.repairDelay,
                                                RepairSchedule.DEFAULT_MAX_REPAIR_DELAY,
                                                RepairSchedule.DEFAULT_MAX_REPAIRS)
                                        : RepairSchedule.inPlaceOnly())
                        .build()
                        .writeTo(actions, "lustre writer")
                        .uid(SINK_UID);
        // Every outcome to one place: the job's totals, the error log, the budget, the lease.
        outcomes.global()
                .transform(
                        "operations",
                        Types.VOID,
                        new OperationsOperator(OperationsSettings.of(settings, lease)))
                .uid(OPERATIONS_UID)
                .setParallelism(1)
                .setMaxParallelism(1)
                .sinkTo(new DiscardingSink<>())
                .uid(OPERATIONS_END_UID)
                .name("end")
                .setParallelism(1);
    }

    private static BlobListingSource listing(JobSettings settings) {
        return BlobListingSource.builder()
                .setStorageConfig(settings.storage)
                .setPrefixes(settings.prefixes.asList())
                .build();
    }

    /**
     * The walk, then the change feed from the moment the walk started, so a change made during the
     * walk is applied after it. Never reorder this chain: a savepoint stores the index of the
     * active source.
     */
    private static Source<BlobChange, ?, ?> listingThenChangeFeed(JobSettings settings) {
        return HybridSource.<BlobChange, BlobListingSourceEnumerator>builder(listing(settings))
                .addSource(
                        ChangeFeedSource.builder()
                                .setStorageConfig(settings.storage)
                                .setPrefixes(settings.prefixes.asList())
                                .setPollInterval(settings.pollInterval)
                                .<BlobListingSourceEnumerator>buildStartingAtSwitch(
                                        AutoImportPipeline::walkStart),
                        Boundedness.CONTINUOUS_UNBOUNDED)
                .build();
    }

    /**
     * The previous enumerator is absent only when a job restores after the switch; the change-feed
     * split then resumes from its checkpointed cursor and never reads this time.
     */
    private static Instant walkStart(BlobListingSourceEnumerator listing) {
        return listing == null ? Instant.now() : Instant.ofEpochMilli(listing.getWalkStartMillis());
    }
}
