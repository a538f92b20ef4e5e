package dev.autoimport.job.ops;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import dev.autoimport.connector.blob.BlobChange;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.AutoImportJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.MapFunction;

/** What the operations tests share: seeding blobs, running the job's main, reading the logs. */
final class OpsFixture {

    static final String LOGS = "auto-import-logs";

    private OpsFixture() {}

    static void upload(
            BlobContainerClient container,
            String name,
            String content,
            Map<String, String> metadata) {
        container
                .getBlobClient(name)
                .uploadWithResponse(
                        new BlobParallelUploadOptions(BinaryData.fromString(content))
                                .setMetadata(new HashMap<>(metadata)),
                        null,
                        Context.NONE);
    }

    /** The arguments of an import job authenticated by the Azurite connection string. */
    static List<String> importArgs(
            AzuriteExtension azurite, String container, String root, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--mode",
                                "import",
                                "--storage.connection-string",
                                azurite.connectionString(),
                                "--storage.container",
                                container,
                                "--logging.container",
                                LOGS,
                                "--lustre.root",
                                root,
                                "--job.parallelism",
                                "2",
                                "--job.checkpoint-interval",
                                "200ms"));
        args.addAll(List.of(extra));
        return args;
    }

    /** Runs {@link AutoImportJob#run} and keeps what it printed. */
    static Run run(List<String> args) throws Exception {
        return run(args, null);
    }

    static Run run(List<String> args, MapFunction<BlobChange, BlobChange> hook) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = AutoImportJob.run(args.toArray(String[]::new), o, e, hook);
        }
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Starts the job's main in the background and returns once it holds at {@link Gate#GATE_BLOB}
     * with everything else imported; {@link Gate#open()} lets it finish.
     */
    static CompletableFuture<Run> startHeldAtGate(List<String> args) throws InterruptedException {
        Gate.reset();
        CompletableFuture<Run> run =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return run(args, new Gate());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        try {
            Gate.awaitReached();
        } catch (InterruptedException | RuntimeException | AssertionError e) {
            Gate.open();
            throw e;
        }
        return run;
    }

    /** Every line of every error-log blob of one job. */
    static List<ErrorLogEntry> errorLog(BlobContainerClient logs, String jobName) {
        List<ErrorLogEntry> entries = new ArrayList<>();
        for (BlobItem item :
                logs.listBlobs(
                        new ListBlobsOptions()
                                .setPrefix(LoggingContainerLayout.errorLogFolder(jobName)),
                        null)) {
            String text = logs.getBlobClient(item.getName()).downloadContent().toString();
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                try {
                    entries.add(ErrorLogEntry.fromJson(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + line, e);
                }
            }
        }
        return entries;
    }

    /** The job name main derives when --job.name is not given. */
    static String defaultJobName(String container, String root) {
        return "import " + container + " -> " + root;
    }

    /** What one run of main returned and printed. */
    static final class Run {
        final int code;
        final String out;
        final String err;

        Run(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /**
     * Lets every blob through except {@link #GATE_BLOB}, which waits until {@link #open()}: a job
     * that stays running as long as a test needs, with everything else imported.
     */
    static final class Gate implements MapFunction<BlobChange, BlobChange> {
        private static final long serialVersionUID = 1L;

        static final String GATE_BLOB = "zz-gate.txt";
        static volatile CountDownLatch reached = new CountDownLatch(1);
        static volatile CountDownLatch opened = new CountDownLatch(1);

        static void reset() {
            reached = new CountDownLatch(1);
            opened = new CountDownLatch(1);
        }

        static void awaitReached() throws InterruptedException {
            if (!reached.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the job never reached the gate blob");
            }
        }

        static void open() {
            opened.countDown();
        }

        @Override
        public BlobChange map(BlobChange change) throws InterruptedException {
            if (GATE_BLOB.equals(change.blobName)) {
                reached.countDown();
                opened.await(120, TimeUnit.SECONDS);
            }
            return change;
        }
    }
}
