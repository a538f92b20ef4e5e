package dev.autoimport.job;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.changefeed.ChangeFeedSource;
import dev.autoimport.connector.blob.listing.BlobListingSource;
import dev.autoimport.connector.blob.listing.enumerator.BlobListingSourceEnumerator;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreSink;
import dev.autoimport.job.decision.ImportPolicy;
import dev.autoimport.job.decision.PathDecisionFunction;
import dev.autoimport.job.ops.OperationsSettings;
import dev.autoimport.job.ops.RootLease;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Assembles the job: blob changes → keyBy(path) → per-path decision → Lustre sink.
 *
 * <p>Operator UIDs are fixed here and must never change: savepoints find their state by them.
 */
public final class AutoImportPipeline {

    /** The import job's source: the listing alone. */
    public static final String LISTING_SOURCE_UID = "blob-listing-source";

    /** The auto-import job's source: the listing, then the change feed (a hybrid source). */
    public static final String CHANGE_SOURCE_UID = "blob-change-source";

    public static final String DECISION_UID = "path-decisions";
    public static final String SINK_UID = "lustre-sink";

    private AutoImportPipeline() {}

    /**
     * Job-level settings every run needs: RocksDB, exactly-once checkpoints, and this build's
     * version as a job parameter (shown in the web UI under Job → Configuration).
     */
    public static void configure(StreamExecutionEnvironment env, JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(
                PipelineOptions.GLOBAL_JOB_PARAMETERS,
                Map.of(AutoImportVersion.JOB_PARAMETER, AutoImportVersion.current()));
        env.configure(conf);
        env.enableCheckpointing(
                settings.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (settings.parallelism > 0) {
            env.setParallelism(settings.parallelism);
        }
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
        changes.keyBy(new PathKeySelector())
                .process(new PathDecisionFunction(settings), TypeInformation.of(LustreAction.class))
                .uid(DECISION_UID)
                .name("per-path decisions")
                .sinkTo(
                        LustreSink.builder()
                                .setRoot(settings.lustreRoot)
                                .setContentSource(new BlobContentSource(settings.storage))
                                .setPolicy(
                                        new ImportPolicy(
                                                settings.conflictMode, settings.allowSetuid))
                                .setListenerFactory(
                                        new SyncListener.Factory(
                                                OperationsSettings.of(settings, lease)))
                                .setMaxConcurrentActions(settings.maxConcurrentWrites)
                                .build())
                .uid(SINK_UID)
                .name("lustre sink");
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
