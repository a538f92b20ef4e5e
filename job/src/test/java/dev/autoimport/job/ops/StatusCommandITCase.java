package dev.autoimport.job.ops;

import static dev.autoimport.job.ops.OpsFixture.LOGS;
import static dev.autoimport.job.ops.OpsFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobContainerClient;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.ops.OpsFixture.Gate;
import dev.autoimport.job.ops.OpsFixture.Run;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The status command against the REST endpoint of a MiniCluster running the import job. */
class StatusCommandITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(fastMetrics())
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final String CONTAINER = "status";
    private static final int GOOD_FILES = 12;
    private static final int BAD = 2;

    /** Walked so far: every blob but the gate, which the listing counts once it is emitted. */
    private static final int WALKED = GOOD_FILES + BAD;

    @TempDir Path work;

    private static Configuration fastMetrics() {
        Configuration c = new Configuration();
        c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return c;
    }

    @BeforeAll
    static void seed() {
        BlobContainerClient c = AZURITE.createContainer(CONTAINER);
        AZURITE.createContainer(LOGS);
        for (int i = 0; i < GOOD_FILES; i++) {
            upload(c, "data/f" + i + ".txt", "content " + i + "\n", Map.of());
        }
        upload(c, "bad/../one.txt", "refused\n", Map.of());
        upload(c, "bad/./two.txt", "refused\n", Map.of());
        upload(c, Gate.GATE_BLOB, "gate\n", Map.of());
    }

    @Test
    void printsTheTablesOfARunningJobAndTellsStatesApartByExitCode(
            @InjectClusterRESTAddress URI rest) throws Exception {
        Path root = Files.createDirectory(work.resolve("running"));
        String jobName = "status test job";
        CompletableFuture<Run> job =
                OpsFixture.startHeldAtGate(
                        OpsFixture.importArgs(
                                AZURITE,
                                CONTAINER,
                                root.toString(),
                                "--import.max-errors",
                                "-1",
                                "--job.name",
                                jobName));
        try {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300))
                    .untilAsserted(
                            () -> {
                                Status s = status(rest, "--job", jobName, "--json");
                                assertThat(s.code).as(s.text).isEqualTo(StatusCommand.EXIT_RUNNING);
                                Map<String, Object> full = s.table("fullSync");
                                assertThat(full)
                                        .as(s.text)
                                        .containsEntry("blobsWalked", (long) WALKED)
                                        .containsEntry("importedFiles", (long) GOOD_FILES)
                                        .containsEntry("blobsImported", (long) GOOD_FILES)
                                        .containsEntry("errors", (long) BAD)
                                        .containsEntry("conflicts", 0L)
                                        .containsEntry("preexistingFiles", 0L);
                            });
            Status json = status(rest, "--job", jobName, "--json");
            Map<String, Object> blob = json.table("blobSync");
            assertThat(blob).containsEntry("errors", 0L).containsEntry("deletions", 0L);
            assertThat(blob.get("lastFullySynchronizedTime")).as("not registered yet").isNull();
            assertThat(blob.get("lagSeconds")).isNull();
            assertThat(json.job().get("state")).isEqualTo("RUNNING");

            Status text = status(rest);
            assertThat(text.code).as("the only running job, found without --job").isZero();
            assertThat(text.text)
                    .contains("Job '" + jobName + "'")
                    .containsPattern("(?m)^  importedFiles +" + GOOD_FILES + "$")
                    .containsPattern("(?m)^  blobsWalked +" + WALKED + "$")
                    .containsPattern("(?m)^  errors +" + BAD + "$")
                    .containsPattern("(?m)^  blobImportRate +[0-9.,]+ /s$")
                    .containsPattern("(?m)^  lastFullySynchronizedTime +n/a$")
                    .containsPattern("(?m)^  lag +n/a$");
        } finally {
            Gate.open();
        }
        Run finished = job.get(60, TimeUnit.SECONDS);
        assertThat(finished.code).as(finished.toString()).isZero();
        String jobId = status(rest, "--job", jobName, "--json").job().get("id").toString();
        assertThat(status(rest, "--job", jobId).code).isEqualTo(StatusCommand.EXIT_FINISHED);

        Path failing = Files.createDirectory(work.resolve("failing"));
        Run failed =
                OpsFixture.run(
                        OpsFixture.importArgs(
                                AZURITE, CONTAINER, failing.toString(), "--job.name", "fails"));
        assertThat(failed.code).isEqualTo(1);
        assertThat(status(rest, "--job", "fails").code).isEqualTo(StatusCommand.EXIT_FAILED);

        Status missing = status(rest, "--job", "no such job");
        assertThat(missing.code).isEqualTo(StatusCommand.EXIT_NOT_FOUND);
        assertThat(missing.err).contains("no job 'no such job'").contains(jobName);
        assertThat(status(rest, "--bogus").code).isEqualTo(StatusCommand.EXIT_USAGE);
        assertThat(status(URI.create("http://127.0.0.1:1")).code)
                .isEqualTo(StatusCommand.EXIT_UNREACHABLE);
    }

    private static Status status(URI rest, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--rest";
        all[1] = rest.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                StatusCommand.run(
                        all,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Status(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final class Status {
        final int code;
        final String text;
        final String err;

        Status(int code, String text, String err) {
            this.code = code;
            this.text = text;
            this.err = err;
        }

        Map<String, Object> parsed() throws Exception {
            return Json.MAPPER.readValue(text, new TypeReference<Map<String, Object>>() {});
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> table(String name) throws Exception {
            Map<String, Object> t = (Map<String, Object>) parsed().get(name);
            // JSON numbers come back as Integer, Long or Double: compare counts as longs.
            Map<String, Object> normalized = new java.util.LinkedHashMap<>();
            t.forEach(
                    (k, v) ->
                            normalized.put(
                                    k, v instanceof Integer ? Long.valueOf((Integer) v) : v));
            return normalized;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> job() throws Exception {
            return (Map<String, Object>) parsed().get("job");
        }
    }
}
