package dev.autoimport.connector.lustre;

import static dev.autoimport.connector.lustre.TestActions.writeFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-repair in the writer operator, through Flink's keyed operator harness (its state backend,
 * its processing-time timers, a snapshot and a restore into a new operator): a blob the source
 * fails to serve for a passing reason, more times than the in-place tries, is kept and imported
 * later by itself, also across a failover; a later action on the path supersedes it; the repairs
 * run out into an error; the watermark waits for the repair.
 */
class LustreWriterRepairTest {

    private static final Duration FIRST_REPAIR = Duration.ofSeconds(30);

    /** Tries in place before the first repair. */
    private static final int IN_PLACE = RepairSchedule.SHORT_IN_PLACE_MILLIS.length + 1;

    private static final Map<String, AtomicInteger> FAILURES_LEFT = new ConcurrentHashMap<>();

    @TempDir Path root;

    private final MapContentSource blobs = new MapContentSource();
    private final List<KeyedOneInputStreamOperatorTestHarness<String, LustreAction, LustreAction>>
            harnesses = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    @Test
    void aBlobThatKeepsFailingIsRepairedLaterEvenAfterAFailover() throws Exception {
        blobs.put("a.txt", "e1", "content of a");
        failing("a.txt", IN_PLACE + 1);
        LustreSink sink =
                sink(RepairSchedule.repairing(FIRST_REPAIR, FIRST_REPAIR.multipliedBy(8), 5));

        var first = open(sink, null);
        first.processElement(new StreamRecord<>(writeFile("a.txt", "e1", "content of a")));
        first.processWatermark(new Watermark(100));
        first.prepareSnapshotPreBarrier(1);
        assertThat(outcomes(first)).as("nothing reported while a repair is pending").isEmpty();
        assertThat(watermarks(first)).as("the tree is not synchronized up to 100").isEmpty();
        assertThat(root.resolve("a.txt")).doesNotExist();
        OperatorSubtaskState checkpoint = first.snapshot(1, 1);
        first.close();
        harnesses.remove(first);

        // The failover: a new operator from the checkpoint.
        var second = open(sink, checkpoint);
        second.setProcessingTime(FIRST_REPAIR.toMillis() - 1);
        second.prepareSnapshotPreBarrier(2);
        assertThat(outcomes(second)).as("not due yet").isEmpty();

        // The repair fails once more in place, then succeeds.
        second.setProcessingTime(FIRST_REPAIR.toMillis());
        second.prepareSnapshotPreBarrier(3);

        assertThat(root.resolve("a.txt")).hasContent("content of a");
        assertThat(outcomes(second))
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.report).isEqualTo(LustreAction.Report.APPLY);
                            assertThat(o.attempts).isEqualTo(IN_PLACE + 2);
                        });
        assertThat(FAILURES_LEFT.get("a.txt").get()).isZero();
        assertThat(second.numKeyedStateEntries()).as("the repair is forgotten").isZero();
        assertThat(watermarks(second)).isEmpty();
        second.processWatermark(new Watermark(200));
        runMails(second);
        assertThat(watermarks(second)).as("no repair pending").containsExactly(200L);
    }

    @Test
    void aLaterActionOnThePathSupersedesThePendingRepair() throws Exception {
        blobs.put("a.txt", "e1", "old").put("a.txt", "e2", "new");
        failing("a.txt", IN_PLACE);
        var harness = open(sink(RepairSchedule.defaults()), null);
        harness.processElement(new StreamRecord<>(writeFile("a.txt", "e1", "old")));
        harness.processWatermark(new Watermark(100));
        harness.prepareSnapshotPreBarrier(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processElement(new StreamRecord<>(writeFile("a.txt", "e2", "new")));
        harness.prepareSnapshotPreBarrier(2);

        assertThat(root.resolve("a.txt")).hasContent("new");
        assertThat(outcomes(harness))
                .extracting(o -> o.report + " " + o.etag)
                .containsExactly("IGNORED e1", "APPLY e2");
        assertThat(watermarks(harness)).as("released with the repair").containsExactly(100L);
        assertThat(harness.numKeyedStateEntries()).isZero();
        harness.setProcessingTime(RepairSchedule.DEFAULT_MAX_REPAIR_DELAY.toMillis() * 20);
        harness.prepareSnapshotPreBarrier(3);
        assertThat(outcomes(harness)).as("the old timer does nothing").hasSize(2);
    }

    @Test
    void whenTheRepairsRunOutTheBlobIsAnError() throws Exception {
        blobs.put("a.txt", "e1", "content");
        failing("a.txt", Integer.MAX_VALUE);
        var harness =
                open(
                        sink(
                                RepairSchedule.repairing(
                                        Duration.ofMillis(10), Duration.ofMillis(10), 2)),
                        null);
        harness.processElement(new StreamRecord<>(writeFile("a.txt", "e1", "content")));
        harness.prepareSnapshotPreBarrier(1);
        harness.setProcessingTime(10);
        harness.prepareSnapshotPreBarrier(2);
        assertThat(outcomes(harness)).as("after the first repair").isEmpty();
        harness.setProcessingTime(20);
        harness.prepareSnapshotPreBarrier(3);

        assertThat(outcomes(harness))
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.report).isEqualTo(LustreAction.Report.ERROR);
                            assertThat(o.attempts).isEqualTo(3 * IN_PLACE);
                            assertThat(o.error).contains("503 ServerBusy (simulated)");
                        });
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void theEndOfTheInputLeavesNoTimeForRepairs() throws Exception {
        blobs.put("a.txt", "e1", "content");
        failing("a.txt", IN_PLACE);
        var harness = open(sink(RepairSchedule.defaults()), null);
        harness.processElement(new StreamRecord<>(writeFile("a.txt", "e1", "content")));
        harness.prepareSnapshotPreBarrier(1);
        harness.endInput();

        assertThat(outcomes(harness))
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.report).isEqualTo(LustreAction.Report.ERROR);
                            assertThat(o.error)
                                    .startsWith("not repaired before the end of the input");
                        });
    }

    private void failing(String blobName, int times) {
        FAILURES_LEFT.put(blobName, new AtomicInteger(times));
    }

    private LustreSink sink(RepairSchedule schedule) {
        return LustreSink.builder()
                .setRoot(root.toString())
                .setContentSource(new FlakySource(blobs))
                .setRepairSchedule(schedule)
                .build();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, LustreAction, LustreAction> open(
            LustreSink sink, OperatorSubtaskState restored) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, LustreAction, LustreAction>(
                        new LustreWriterOperatorFactory(sink), a -> a.path, Types.STRING);
        harnesses.add(harness);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }

    private static List<LustreAction> outcomes(
            KeyedOneInputStreamOperatorTestHarness<String, LustreAction, LustreAction> harness) {
        List<LustreAction> all = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                all.add((LustreAction) ((StreamRecord<?>) o).getValue());
            }
        }
        return all;
    }

    /** What the task's mailbox loop would run between records. */
    private static void runMails(
            KeyedOneInputStreamOperatorTestHarness<String, LustreAction, LustreAction> harness)
            throws Exception {
        var mailbox = harness.getTaskMailbox();
        while (mailbox.hasMail()) {
            mailbox.take(TaskMailbox.MIN_PRIORITY).run();
        }
    }

    private static List<Long> watermarks(
            KeyedOneInputStreamOperatorTestHarness<String, LustreAction, LustreAction> harness) {
        List<Long> all = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark) {
                all.add(((Watermark) o).getTimestamp());
            }
        }
        return all;
    }

    /** Fails a blob's downloads for a passing reason as often as the test says, then serves it. */
    private static final class FlakySource implements ContentSource {
        private static final long serialVersionUID = 1L;

        private final MapContentSource blobs;

        FlakySource(MapContentSource blobs) {
            this.blobs = blobs;
        }

        @Override
        public Reader open() {
            Reader delegate = blobs.open();
            return (String blobName, String etag, OutputStream out) -> {
                AtomicInteger left = FAILURES_LEFT.get(blobName);
                if (left != null && left.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    throw new TransientSourceException("503 ServerBusy (simulated)", null);
                }
                delegate.copyTo(blobName, etag, out);
            };
        }
    }
}
