package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoimport.connector.lustre.LustreAction;
import dev.autoimport.connector.lustre.LustreAction.Operation;
import dev.autoimport.connector.lustre.LustreAction.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class SyncMetricsTest {

    /** The sink's I/O threads report outcomes at the same time; no count may be lost. */
    @Test
    void countsFromManyThreadsAtOnceAreExact() throws Exception {
        SyncMetrics metrics =
                new SyncMetrics(new UnregisteredMetricsGroup(), SyncMetrics.BLOB_SYNC);
        LustreAction deletion =
                LustreAction.of(
                        Operation.DELETE,
                        "a/b",
                        "a/b",
                        null,
                        null,
                        SyncMetrics.BLOB_SYNC,
                        Report.APPLY);
        int threads = 8;
        int each = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                } catch (InterruptedException e) {
                                    return;
                                }
                                for (int i = 0; i < each; i++) {
                                    metrics.countSuccess(deletion);
                                }
                            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(metrics.snapshot()).containsEntry(SyncMetrics.DELETIONS, (long) threads * each);
    }
}
