package dev.autoimport.connector.blob.listing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A walk that fails half-way restarts from its last checkpoint and still emits every blob, without
 * listing again what it had emitted before that checkpoint.
 */
class BlobListingSourceFailoverITCase {

    private static final String CONTAINER = "failover";
    private static final int PAGE_SIZE = 10;
    private static final int RECORDS_BEFORE_FAILURE = 60;

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static List<BlobChange> uploaded;

    @BeforeAll
    static void uploadBlobs() throws Exception {
        uploaded = TestBlobs.upload(AZURITE.createContainer(CONTAINER), ListingFixture.blobs(60));
    }

    @Test
    void restoresMidWalkWithoutLosingOrRelistingCheckpointedBlobs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        env.fromSource(
                        BlobListingSource.builder()
                                .setStorageConfig(AZURITE.storageConfig(CONTAINER))
                                .setPageSize(PAGE_SIZE)
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "listing")
                .map(new FailOnceAfterACheckpoint())
                .sinkTo(new DiscardingSink<>());

        env.execute("listing with one failure");

        assertThat(Seen.failed).as("the job failed once mid-walk").isTrue();
        assertThat(Seen.restoredFrom.get()).as("and was restored from a checkpoint").isPositive();
        assertThat(Set.copyOf(Seen.names))
                .containsExactlyInAnyOrderElementsOf(
                        uploaded.stream().map(c -> c.blobName).toList());

        Set<String> covered = Seen.coveredByCheckpoint.get(Seen.restoredFrom.get());
        List<String> relisted = Seen.afterRestore.stream().filter(covered::contains).toList();
        List<String> replayed =
                Seen.afterRestore.stream().filter(Seen.beforeFailure::contains).toList();
        System.out.printf(
                "failover: %d blobs, %d covered by the restored checkpoint, %d emitted again after"
                        + " the restore (after that checkpoint's barrier: %d, before it: %d)%n",
                uploaded.size(),
                covered.size(),
                replayed.size(),
                replayed.size() - relisted.size(),
                relisted.size());
        assertThat(covered).as("the failure came mid-walk").isNotEmpty();
        assertThat(relisted)
                .as("blobs emitted before the restored checkpoint are not emitted again")
                .isEmpty();
    }

    /** What the test map saw, across the failure and restore (one JVM, so statics are shared). */
    private static final class Seen {
        static final ConcurrentLinkedQueue<String> names = new ConcurrentLinkedQueue<>();
        static final Set<String> beforeFailure = ConcurrentHashMap.newKeySet();
        static final ConcurrentLinkedQueue<String> afterRestore = new ConcurrentLinkedQueue<>();
        static final Map<Long, Set<String>> coveredByCheckpoint = new ConcurrentHashMap<>();
        static final AtomicLong restoredFrom = new AtomicLong();
        static final AtomicBoolean failed = new AtomicBoolean();
    }

    /**
     * Until it fails, passes blobs through slowly enough for checkpoints to land mid-walk; notes
     * which blobs each checkpoint covers; fails once, after a completed checkpoint and {@value
     * RECORDS_BEFORE_FAILURE} records.
     */
    private static final class FailOnceAfterACheckpoint extends RichMapFunction<BlobChange, String>
            implements CheckpointedFunction, CheckpointListener {

        private final List<String> seenByThisSubtask = new ArrayList<>();
        private final Map<Long, Integer> seenAtCheckpoint = new HashMap<>();
        private boolean restored;

        /**
         * A checkpoint that covers some of this subtask's blobs completed: failing now restores
         * mid-walk. (The first checkpoint may complete before any record, and on a slow machine no
         * other one before the failure.)
         */
        private boolean checkpointCompleted;

        @Override
        public void initializeState(FunctionInitializationContext context) {
            OptionalLong checkpoint = context.getRestoredCheckpointId();
            restored = checkpoint.isPresent();
            checkpoint.ifPresent(Seen.restoredFrom::set);
        }

        @Override
        public String map(BlobChange change) throws Exception {
            if (!Seen.failed.get()) {
                Thread.sleep(3);
            }
            if (!restored
                    && checkpointCompleted
                    && seenByThisSubtask.size() >= RECORDS_BEFORE_FAILURE
                    && Seen.failed.compareAndSet(false, true)) {
                throw new IllegalStateException("failing once, as the test asks");
            }
            seenByThisSubtask.add(change.blobName);
            Seen.names.add(change.blobName);
            if (restored) {
                Seen.afterRestore.add(change.blobName);
            } else {
                Seen.beforeFailure.add(change.blobName);
            }
            return change.blobName;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            seenAtCheckpoint.put(context.getCheckpointId(), seenByThisSubtask.size());
            if (!restored) {
                Seen.coveredByCheckpoint
                        .computeIfAbsent(
                                context.getCheckpointId(), id -> ConcurrentHashMap.newKeySet())
                        .addAll(seenByThisSubtask);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seenAtCheckpoint.getOrDefault(checkpointId, 0) > 0) {
                checkpointCompleted = true;
            }
        }
    }
}
