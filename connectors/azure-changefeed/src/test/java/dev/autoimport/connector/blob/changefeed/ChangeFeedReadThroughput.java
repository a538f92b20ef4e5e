package dev.autoimport.connector.blob.changefeed;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.changefeed.BlobChangefeedClient;
import com.azure.storage.blob.changefeed.BlobChangefeedClientBuilder;
import com.azure.storage.blob.changefeed.BlobChangefeedPagedResponse;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.blob.changefeed.reader.ChangeFeedRecord;
import dev.autoimport.connector.blob.changefeed.reader.ChangeFeedSplitReader;
import dev.autoimport.connector.blob.changefeed.split.ChangeFeedSplit;
import dev.autoimport.connector.blob.changefeed.testing.ChangeFeedWriter;
import dev.autoimport.connector.blob.changefeed.testing.FeedEvent;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Measures how fast the change feed is read from Azurite: the bare SDK, the split reader, and the
 * whole source in a local Flink job. Not a test; run it by hand with the test classpath:
 *
 * <pre>{@code
 * java -cp <test classpath> dev.autoimport.connector.blob.changefeed.ChangeFeedReadThroughput \
 *     [events [all|sdk|reader|job]]
 * }</pre>
 */
public final class ChangeFeedReadThroughput {

    private static final Instant START = Instant.parse("2025-03-01T10:20:00Z");
    private static final AtomicLong SEEN = new AtomicLong();

    private ChangeFeedReadThroughput() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        AzuriteExtension azurite = new AzuriteExtension();
        azurite.start();
        try {
            BlobServiceClient service = azurite.serviceClient();
            long writeStart = System.nanoTime();
            writeFeed(service, events);
            report("writing the feed", events, writeStart);

            BlobStorageConfig config = azurite.storageConfig("data");
            String what = args.length > 1 ? args[1] : "all";
            // The first round runs on a cold JVM (JIT), the later ones show the steady state.
            for (int round = 0; round < 3; round++) {
                if (what.equals("all") || what.equals("sdk")) {
                    measureSdk(service, events);
                }
                if (what.equals("all") || what.equals("reader")) {
                    measureSplitReader(config, events);
                }
                if (what.equals("all") || what.equals("job")) {
                    measureFlinkJob(config, events);
                }
            }
        } finally {
            azurite.stop();
        }
    }

    private static void writeFeed(BlobServiceClient service, int events) {
        ChangeFeedWriter writer = new ChangeFeedWriter(service, 2, 1000);
        int perChunk = 10_000;
        long spacingMillis = Duration.ofMinutes(50).toMillis() / events;
        for (int from = 0; from < events; from += perChunk) {
            List<FeedEvent> batch = new ArrayList<>(perChunk);
            for (int i = from; i < Math.min(events, from + perChunk); i++) {
                batch.add(
                        FeedEvent.created(
                                "data",
                                "dir" + (i % 100) + "/file-" + i + ".dat",
                                "0x8DDE0F4A1B2C3D4",
                                i,
                                writer.nextSequencer(),
                                START.plusMillis(i * spacingMillis)));
            }
            writer.append(batch);
        }
        writer.publish();
    }

    private static void measureSdk(BlobServiceClient service, int expected) {
        BlobChangefeedClient client = new BlobChangefeedClientBuilder(service).buildClient();
        long start = System.nanoTime();
        long count = 0;
        for (BlobChangefeedPagedResponse page :
                client.getEvents(START.minus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC), null)
                        .iterableByPage(5000)) {
            count += page.getValue().size();
        }
        check(count, expected);
        report("SDK pages alone", count, start);
    }

    private static void measureSplitReader(BlobStorageConfig config, int expected)
            throws Exception {
        ChangeFeedSplitReader reader =
                new ChangeFeedSplitReader(
                        config, List.of(""), Duration.ofMinutes(15), Duration.ofSeconds(1), 5000);
        reader.handleSplitsChanges(
                new SplitsAddition<>(List.of(ChangeFeedSplit.startingAt(START))));
        long start = System.nanoTime();
        long changes = 0;
        boolean drained = false;
        while (!drained) {
            RecordsWithSplitIds<ChangeFeedRecord> records = reader.fetch();
            while (records.nextSplit() != null) {
                ChangeFeedRecord record;
                while ((record = records.nextRecordFromSplit()) != null) {
                    if (record instanceof ChangeFeedRecord.Change) {
                        changes++;
                    } else if (record instanceof ChangeFeedRecord.Drained) {
                        drained = true;
                    }
                }
            }
        }
        reader.close();
        check(changes, expected);
        report("split reader (SDK + mapping)", changes, start);
    }

    private static void measureFlinkJob(BlobStorageConfig config, int expected) throws Exception {
        SEEN.set(0);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        env.fromSource(
                        ChangeFeedSource.forStartTime(config, List.of(""), START),
                        WatermarkStrategy.noWatermarks(),
                        "change-feed")
                .filter((FilterFunction<BlobChange>) change -> SEEN.incrementAndGet() < 0)
                .sinkTo(new DiscardingSink<>());
        long submitted = System.nanoTime();
        JobClient job = env.executeAsync("throughput");
        while (SEEN.get() == 0) {
            Thread.sleep(1);
        }
        long firstRecord = System.nanoTime();
        long firstSeen = SEEN.get();
        while (SEEN.get() < expected) {
            Thread.sleep(5);
        }
        report("Flink job (source -> discard), from submission", SEEN.get(), submitted);
        report("Flink job, from the first record", SEEN.get() - firstSeen, firstRecord);
        job.cancel().get();
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            Thread.sleep(10);
        }
    }

    private static void check(long count, int expected) {
        if (count != expected) {
            throw new IllegalStateException("read " + count + " events, expected " + expected);
        }
    }

    private static void report(String what, long events, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf(
                "%-55s %,9d events in %6.2f s = %,8.0f events/s%n",
                what, events, seconds, events / seconds);
    }
}
