package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A root with an empty sibling directory, a listener, and writers closed after each test. */
abstract class SinkWriterTestBase {

    @TempDir Path temp;
    Path rootPath;

    /** A sibling of the root: nothing the sink does may ever appear here. */
    Path outside;

    final RecordingListener listener = new RecordingListener();
    final MapContentSource blobs = new MapContentSource();
    final GaugeRecordingMetricGroup metrics = new GaugeRecordingMetricGroup();

    /**
     * The test thread's mailbox, as a task's: outcomes arrive there while writes and flushes yield.
     */
    final MailboxExecutor mailbox =
            new MailboxExecutorImpl(
                    new TaskMailboxImpl(Thread.currentThread()),
                    0,
                    StreamTaskActionExecutor.IMMEDIATE);

    private final List<LustreSinkWriter> writers = new ArrayList<>();

    @BeforeEach
    void createRoot() throws IOException {
        rootPath = Files.createDirectory(temp.resolve("root")).toRealPath();
        outside = Files.createDirectory(temp.resolve("outside"));
    }

    @AfterEach
    void closeWriters() throws Exception {
        for (LustreSinkWriter writer : writers) {
            writer.close();
        }
        assertThat(outside).as("nothing written outside the root").isEmptyDirectory();
    }

    LustreSinkWriter openWriter() throws IOException {
        return openWriter(blobs, 8);
    }

    LustreSinkWriter openWriter(ContentSource source, int maxConcurrentActions) throws IOException {
        return openWriter(sinkOn(rootPath, source, maxConcurrentActions), 0, 1);
    }

    LustreSinkWriter openWriter(LustreSink sink, int subtaskIndex, int parallelism)
            throws IOException {
        LustreSinkWriter writer =
                sink.createWriter(subtaskIndex, parallelism, metrics, mailbox, listener);
        writers.add(writer);
        return writer;
    }

    LustreSink sinkOn(Path root, ContentSource source, int maxConcurrentActions) {
        return LustreSink.builder()
                .setRoot(root.toString())
                .setContentSource(source)
                .setMaxConcurrentActions(maxConcurrentActions)
                .build();
    }

    /** Writes the actions and flushes, as a checkpoint would. */
    static void apply(LustreSinkWriter writer, LustreAction... actions) throws Exception {
        for (LustreAction action : actions) {
            writer.write(action);
        }
        writer.flush();
    }

    Path stagingOfSubtask0() {
        return rootPath.resolve(".auto-import/staging/1-0");
    }

    void assertNoStagedEntries() throws IOException {
        assertThat(stagingOfSubtask0()).isEmptyDirectory();
    }

    static Map<String, Object> lstat(Path path) throws IOException {
        return Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
    }

    static int mode(Path path) throws IOException {
        return (Integer) lstat(path).get("mode") & 07777;
    }

    /** Entries directly in the root, the sink's reserved directory left out. */
    List<String> rootEntries() throws IOException {
        try (Stream<Path> entries = Files.list(rootPath)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(LustrePaths.RESERVED_NAME))
                    .sorted()
                    .toList();
        }
    }
}
