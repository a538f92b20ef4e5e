package dev.autoimport.connector.lustre;

import static dev.autoimport.connector.lustre.TestActions.delete;
import static dev.autoimport.connector.lustre.TestActions.writeFile;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Many actions at once: per-path order, flush, back-pressure, cancellation. */
class LustreSinkWriterConcurrencyTest extends SinkWriterTestBase {

    @Test
    void actionsOnOnePathRunInArrivalOrderWhileOtherPathsRunInParallel() throws Exception {
        SlowContentSource source = new SlowContentSource();
        LustreSinkWriter writer = openWriter(source, 16);
        int paths = 10;
        int actions = 1000;
        Map<String, List<String>> writtenOrder = new HashMap<>();
        Map<String, String> lastEtag = new HashMap<>();

        for (int i = 0; i < actions; i++) {
            String path = "p" + (i % paths) + "/file";
            boolean amongLastPerPath = i >= actions - paths;
            LustreAction action;
            if (i % 7 == 3 && !amongLastPerPath) {
                action = delete(path);
            } else {
                String etag = "v" + i;
                action = writeFile(path, etag, SlowContentSource.content(path, etag));
                lastEtag.put(path, etag);
            }
            writtenOrder.computeIfAbsent(path, p -> new ArrayList<>()).add(label(action));
            writer.write(action);
        }
        writer.flush();

        assertThat(listener.failures).isEmpty();
        Map<String, List<String>> appliedOrder = new HashMap<>();
        for (LustreAction done : listener.successes) {
            appliedOrder.computeIfAbsent(done.path, p -> new ArrayList<>()).add(label(done));
        }
        assertThat(appliedOrder).isEqualTo(writtenOrder);
        for (Map.Entry<String, String> last : lastEtag.entrySet()) {
            assertThat(rootPath.resolve(last.getKey()))
                    .hasContent(SlowContentSource.content(last.getKey(), last.getValue()));
        }
        assertThat(source.maxCopiesOfOneBlob).as("copies of one path at once").hasValue(1);
        assertThat(source.maxCopies.get()).as("copies of all paths at once").isGreaterThan(1);
        assertThat(metrics.read(LustreSinkMetrics.ACTIONS_IN_FLIGHT)).isEqualTo(0);
        assertNoStagedEntries();
    }

    @Test
    void flushYieldsUntilEveryActionInFlightIsReported() throws Exception {
        GatedContentSource source = new GatedContentSource();
        LustreSinkWriter writer = openWriter(source, 4);
        for (String name : List.of("f1", "f2", "f3")) {
            writer.write(writeFile(name, "e1", name));
        }
        source.started.acquire(3);
        assertThat(metrics.read(LustreSinkMetrics.ACTIONS_IN_FLIGHT)).isEqualTo(3);
        AtomicReference<List<String>> whileHanging = new AtomicReference<>();
        Thread opener =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(200);
                                whileHanging.set(rootEntries());
                            } catch (Exception e) {
                                whileHanging.set(List.of("failed: " + e));
                            }
                            source.gate.countDown();
                        });
        opener.start();

        writer.flush();

        opener.join();
        assertThat(whileHanging.get()).as("placed while the downloads hang").isEmpty();
        assertThat(rootEntries()).containsExactly("f1", "f2", "f3");
        assertThat(listener.successes).hasSize(3);
        assertThat(metrics.read(LustreSinkMetrics.ACTIONS_IN_FLIGHT)).isEqualTo(0);
    }

    @Test
    void writeYieldsWhileTheMaximumNumberOfActionsIsUnfinished() throws Exception {
        GatedContentSource source = new GatedContentSource();
        LustreSinkWriter writer = openWriter(source, 2);
        writer.write(writeFile("a", "e1", "a"));
        writer.write(writeFile("b", "e1", "b"));
        source.started.acquire(2);
        AtomicReference<Integer> inFlightWhileFull = new AtomicReference<>();
        Thread opener =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(200);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            inFlightWhileFull.set(
                                    (Integer) metrics.read(LustreSinkMetrics.ACTIONS_IN_FLIGHT));
                            source.gate.countDown();
                        });
        opener.start();

        writer.write(writeFile("c", "e1", "c"));
        writer.flush();

        opener.join();
        assertThat(inFlightWhileFull.get()).as("the third waited for room").isEqualTo(2);
        assertThat(rootEntries()).containsExactly("a", "b", "c");
    }

    @Test
    void closingWhileActionsRunLeavesNoStagedEntriesAndReportsNothing() throws Exception {
        GatedContentSource source = new GatedContentSource();
        LustreSinkWriter writer = openWriter(source, 4);
        writer.write(writeFile("a", "e1", "a"));
        writer.write(writeFile("b", "e1", "b"));
        source.started.acquire(2);

        writer.close();

        assertThat(listener.successes).isEmpty();
        assertThat(listener.failures).as("interrupted actions are replayed, not failed").isEmpty();
        assertThat(rootEntries()).isEmpty();
        assertThat(rootPath.resolve(LustrePaths.RESERVED_NAME)).doesNotExist();
    }

    private static String label(LustreAction action) {
        return action.operation + " " + action.etag;
    }

    /** Content derived from blob name and etag, delivered after a short random pause. */
    private static final class SlowContentSource implements ContentSource {
        private static final long serialVersionUID = 1L;

        final Map<String, AtomicInteger> copiesByBlob = new ConcurrentHashMap<>();
        final AtomicInteger copies = new AtomicInteger();
        final AtomicInteger maxCopiesOfOneBlob = new AtomicInteger();
        final AtomicInteger maxCopies = new AtomicInteger();

        static String content(String blobName, String etag) {
            return blobName + "#" + etag;
        }

        @Override
        public Reader open() {
            return (blobName, etag, out) -> {
                AtomicInteger ofBlob =
                        copiesByBlob.computeIfAbsent(blobName, b -> new AtomicInteger());
                maxCopiesOfOneBlob.accumulateAndGet(ofBlob.incrementAndGet(), Math::max);
                maxCopies.accumulateAndGet(copies.incrementAndGet(), Math::max);
                try {
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(300_000));
                    out.write(content(blobName, etag).getBytes(UTF_8));
                } finally {
                    ofBlob.decrementAndGet();
                    copies.decrementAndGet();
                }
            };
        }
    }

    /** Holds every download until the gate opens; content is the blob name. */
    private static final class GatedContentSource implements ContentSource {
        private static final long serialVersionUID = 1L;

        final CountDownLatch gate = new CountDownLatch(1);
        final Semaphore started = new Semaphore(0);

        @Override
        public Reader open() {
            return (blobName, etag, out) -> {
                started.release();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("download interrupted");
                }
                out.write(blobName.getBytes(UTF_8));
            };
        }
    }
}
