package dev.autoimport.job.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import dev.autoimport.job.ImportRecord;
import dev.autoimport.job.JobSettings;
import dev.autoimport.job.PathKeySelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The keyed operator in Flink's test harness: its state per path, and order per path. */
class PathDecisionFunctionTest {

    private static final long T = 1_800_000_000_000L;

    @Test
    void keepsARecordPerPathAndDecidesEachPathsChangesInOrder() throws Exception {
        OperatorSubtaskState snapshot;
        try (KeyedOneInputStreamOperatorTestHarness<String, BlobChange, LustreAction> harness =
                harness()) {
            harness.open();
            harness.processElement(listed("a", "e1"), 1);
            harness.processElement(listed("b", "e1"), 2);
            harness.processElement(created("a", "e2", "0002"), 3);
            harness.processElement(created("b", "e1", "0001"), 4);
            harness.processElement(created("a", "e2", "0002"), 5);
            harness.processElement(deleted("a", "0003"), 6);
            harness.processElement(created("a", "e2", "0002"), 7);

            List<String> out = outcomes(harness);
            assertThat(out)
                    .containsExactly(
                            "SYNC a e1",
                            "SYNC b e1",
                            "SYNC a e2",
                            "NONE b e1 UP_TO_DATE",
                            "NONE a e2 UP_TO_DATE",
                            "REMOVE a",
                            // After the deletion cleared the record, nothing orders the replayed
                            // creation: the sink's conditional download finds the blob gone.
                            "SYNC a e2");
            snapshot = harness.snapshot(1, 8);
        }
        // The records survive a restore: the version on record still costs nothing.
        try (KeyedOneInputStreamOperatorTestHarness<String, BlobChange, LustreAction> restored =
                harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(created("b", "e1", "0001"), 9);
            assertThat(outcomes(restored)).containsExactly("NONE b e1 UP_TO_DATE");
            ImportRecord b = restoredRecord(restored, "b");
            assertThat(b.etag).isEqualTo("e1");
        }
    }

    private static ImportRecord restoredRecord(
            KeyedOneInputStreamOperatorTestHarness<String, BlobChange, LustreAction> harness,
            String path)
            throws Exception {
        KeyedProcessOperator<?, ?, ?> operator =
                (KeyedProcessOperator<?, ?, ?>) harness.getOperator();
        operator.setCurrentKey(path);
        return operator.getKeyedStateStore()
                .getState(PathDecisionFunction.recordDescriptor())
                .value();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, BlobChange, LustreAction>
            harness() throws Exception {
        JobSettings settings =
                JobSettings.from(
                        Configuration.fromMap(
                                Map.of(
                                        "storage.connection-string",
                                        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;",
                                        "storage.container",
                                        "data",
                                        "logging.container",
                                        "logs",
                                        "lustre.root",
                                        System.getProperty("java.io.tmpdir"),
                                        "sync.enable-deletions",
                                        "true")));
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new PathDecisionFunction(settings)),
                new PathKeySelector(),
                Types.STRING);
    }

    private static List<String> outcomes(
            KeyedOneInputStreamOperatorTestHarness<String, BlobChange, LustreAction> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                LustreAction a = (LustreAction) ((StreamRecord<?>) o).getValue();
                out.add(
                        a.operation
                                + " "
                                + a.path
                                + (a.etag == null ? "" : " " + a.etag)
                                + (a.operation == Operation.NONE ? " " + a.report : ""));
                assertThat(a.report).isNotNull();
                if (a.operation != Operation.NONE) {
                    assertThat(a.report).isEqualTo(Report.APPLY);
                }
            }
        }
        harness.getOutput().clear();
        return out;
    }

    private static BlobChange listed(String name, String etag) {
        return BlobChange.listed(name, etag, T, 3, Map.of(), T);
    }

    private static BlobChange created(String name, String etag, String sequencer) {
        BlobChange c = new BlobChange();
        c.blobName = name;
        c.type = BlobChange.Type.UPSERT;
        c.origin = BlobChange.Origin.CHANGE_FEED;
        c.etag = etag;
        c.contentLength = 3;
        c.sequencer = sequencer;
        c.eventTimeMillis = T + 10_000;
        return c;
    }

    private static BlobChange deleted(String name, String sequencer) {
        BlobChange c = created(name, null, sequencer);
        c.type = BlobChange.Type.DELETE;
        return c;
    }
}
