package dev.autoimport.connector.lustre;

import static dev.autoimport.connector.lustre.TestActions.delete;
import static dev.autoimport.connector.lustre.TestActions.makeDirectory;
import static dev.autoimport.connector.lustre.TestActions.makeSymlink;
import static dev.autoimport.connector.lustre.TestActions.none;
import static dev.autoimport.connector.lustre.TestActions.writeFile;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.lustre.ContentSource.SourceUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The sink in a real (mini) Flink job with checkpoints: a small tree, built by two subtasks. */
class LustreSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path root;

    @Test
    void buildsTheTreeTheActionsDescribe() throws Exception {
        Files.writeString(Files.createDirectories(root.resolve("old")).resolve("stale.txt"), "x");
        MapContentSource blobs = new MapContentSource();
        List<LustreAction> actions = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String path = "data/part-" + (i % 4) + "/file-" + i + ".bin";
            blobs.put(path, "e" + i, "content of " + i);
            actions.add(writeFile(path, "e" + i, "content of " + i));
        }
        blobs.put("latest", "e1", "data/part-0/file-0.bin");
        actions.add(makeSymlink("latest", "e1", "data/part-0/file-0.bin"));
        actions.add(makeDirectory("data", 0750));
        actions.add(makeDirectory("empty-dir", 0700));
        actions.add(delete("old/stale.txt"));
        actions.add(none("data/part-1/file-1.bin"));
        actions.add(writeFile("gone", "e1", "never stored"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(50);
        List<LustreAction> outcomes =
                run(
                        env,
                        actions,
                        LustreSink.builder()
                                .setRoot(root.toString())
                                .setContentSource(blobs)
                                .setMaxConcurrentActions(4)
                                .build());

        for (int i = 0; i < 40; i++) {
            assertThat(root.resolve("data/part-" + (i % 4) + "/file-" + i + ".bin"))
                    .hasContent("content of " + i);
        }
        assertThat(Files.readSymbolicLink(root.resolve("latest")))
                .hasToString("data/part-0/file-0.bin");
        assertThat(Files.getAttribute(root.resolve("data"), "unix:mode")).isEqualTo(040750);
        assertThat(root.resolve("empty-dir")).isEmptyDirectory();
        assertThat(root.resolve("old")).isEmptyDirectory();
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(root.resolve(LustrePaths.RESERVED_NAME))
                .as("no staging area, only the link's import marker")
                .isDirectoryNotContaining(p -> !p.endsWith(LinkMarkers.DIRECTORY));

        assertThat(outcomes).hasSize(actions.size());
        assertThat(outcomes)
                .filteredOn(o -> o.report == LustreAction.Report.ERROR)
                .singleElement()
                .satisfies(
                        failed -> {
                            assertThat(failed.path).isEqualTo("gone");
                            assertThat(failed.error).contains("gone");
                        });
    }

    /** The actions, keyed by path, through the sink; its outcomes. */
    private static List<LustreAction> run(
            StreamExecutionEnvironment env, List<LustreAction> actions, LustreSink sink)
            throws Exception {
        DataStream<LustreAction> outcomes =
                sink.writeTo(
                        env.fromData(LustreAction.class, actions.toArray(new LustreAction[0]))
                                .keyBy(action -> action.path),
                        "lustre");
        List<LustreAction> all = new ArrayList<>();
        try (CloseableIterator<LustreAction> it = outcomes.executeAndCollect("lustre sink IT")) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    @Test
    void aFailureOfTheWholeSourceRestartsTheJobAndLosesNothing() throws Exception {
        MapContentSource blobs = new MapContentSource();
        List<LustreAction> actions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String path = "data/file-" + i;
            blobs.put(path, "e1", "content " + i);
            actions.add(writeFile(path, "e1", "content " + i));
        }
        String id = UUID.randomUUID().toString();
        FAILURES_LEFT.put(id, new AtomicInteger(1));

        Configuration restartAtOnce = new Configuration();
        restartAtOnce.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restartAtOnce.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        restartAtOnce.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(restartAtOnce);
        env.setParallelism(2);
        env.enableCheckpointing(50);
        List<LustreAction> outcomes =
                run(
                        env,
                        actions,
                        LustreSink.builder()
                                .setRoot(root.toString())
                                .setContentSource(
                                        new FailingOnceContentSource(id, blobs, "data/file-7"))
                                .build());

        assertThat(FAILURES_LEFT.get(id).get()).as("the failure happened").isNegative();
        for (int i = 0; i < 20; i++) {
            assertThat(root.resolve("data/file-" + i)).hasContent("content " + i);
        }
        assertThat(outcomes)
                .as("no blob counted as an error")
                .noneMatch(o -> o.report == LustreAction.Report.ERROR);
        assertThat(root.resolve(LustrePaths.RESERVED_NAME)).doesNotExist();
    }

    private static final Map<String, AtomicInteger> FAILURES_LEFT = new ConcurrentHashMap<>();

    /** Loses its credential once, on one blob, as a real source would after a key rotation. */
    private static final class FailingOnceContentSource implements ContentSource {
        private static final long serialVersionUID = 1L;

        private final String id;
        private final MapContentSource blobs;
        private final String failingBlob;

        FailingOnceContentSource(String id, MapContentSource blobs, String failingBlob) {
            this.id = id;
            this.blobs = blobs;
            this.failingBlob = failingBlob;
        }

        @Override
        public Reader open() {
            Reader delegate = blobs.open();
            return (blobName, etag, out) -> {
                if (blobName.equals(failingBlob) && FAILURES_LEFT.get(id).getAndDecrement() > 0) {
                    throw new SourceUnavailableException("credential expired (simulated)", null);
                }
                delegate.copyTo(blobName, etag, out);
            };
        }
    }
}
