package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --local} as a user runs it: the real entry point in its own JVM against Azurite. An import
 * job that ends ends the process with the job's exit code; Ctrl-C (SIGINT at its default
 * disposition) and SIGTERM stop a running job within seconds, with 130 and 143.
 *
 * <p>A background job of a shell script starts with SIGINT ignored, and bash cannot reset a signal
 * that was ignored when it started ({@code trap - INT} does nothing then), so the JVM is started
 * through perl, which can.
 */
class LocalModeITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    /** Ctrl-C or SIGTERM to exit: cancel, then close; the bound asserted here. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(20);

    private static final String LOGS = "auto-import-logs";

    @TempDir Path dir;

    private Process process;

    @AfterEach
    void killLeftover() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void anImportJobThatFinishesEndsTheProcessWithExitCode0() throws Exception {
        BlobContainerClient data = seeded("finishes");

        Path out = start(importArgs(data, "--import.max-errors", "0"));

        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(Files.readString(out)).isTrue();
        String printed = Files.readString(out);
        assertThat(process.exitValue()).as(printed).isZero();
        assertThat(printed)
                .contains("') finished")
                .contains("stopping the embedded Flink (exit code 0)");
        assertThat(dir.resolve("lustre-finishes/a/one.txt")).hasContent("one");
    }

    @Test
    void anImportJobThatFailsEndsTheProcessWithExitCode1() throws Exception {
        BlobContainerClient data = seeded("fails");
        data.getBlobClient("bad/../escape.txt")
                .upload(com.azure.core.util.BinaryData.fromString("x"), true);

        Path out = start(importArgs(data, "--import.max-errors", "0"));

        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(Files.readString(out)).isTrue();
        String printed = Files.readString(out);
        assertThat(process.exitValue()).as(printed).isEqualTo(AutoImportJob.EXIT_JOB_FAILED);
        assertThat(printed).contains("the job failed");
    }

    @Test
    void ctrlCStopsARunningAutoImportJobWithinSeconds() throws Exception {
        assertStopsOn("INT", 130);
    }

    @Test
    void sigtermStopsARunningAutoImportJobWithinSeconds() throws Exception {
        assertStopsOn("TERM", 143);
    }

    private void assertStopsOn(String signal, int expectedCode) throws Exception {
        String name = "signal-" + signal.toLowerCase();
        BlobContainerClient data = AZURITE.createContainer(name);
        FeedFixture feed = new FeedFixture(AZURITE.serviceClient(), data);
        feed.put("a/one.txt", "one");
        int port = freePort();
        List<String> args = new ArrayList<>(importArgs(data));
        args.set(args.indexOf("import"), "auto-import");
        args.set(args.indexOf("--web-ui-port") + 1, Integer.toString(port));

        Path out = start(args);
        awaitRunningJob(port, out);
        Wait.until(
                "the walk to import a/one.txt",
                Duration.ofMinutes(2),
                Duration.ofMillis(200),
                () -> Files.exists(dir.resolve("lustre-" + name + "/a/one.txt")) ? "yes" : "no",
                "yes"::equals);

        long sent = System.nanoTime();
        signal(signal, process.pid());
        boolean exited = process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        String printed = Files.readString(out);
        assertThat(exited)
                .as("exited within %s after SIG%s:%n%s", STOP_LIMIT, signal, printed)
                .isTrue();
        System.out.printf("[local] SIG%s to exit: %d ms%n", signal, tookMillis);
        assertThat(process.exitValue()).as(printed).isEqualTo(expectedCode);
        assertThat(printed).contains("stopping: cancelling the job");
    }

    private BlobContainerClient seeded(String name) {
        BlobContainerClient data = AZURITE.createContainer(name);
        data.getBlobClient("a/one.txt").upload(com.azure.core.util.BinaryData.fromString("one"));
        data.getBlobClient("b/two.txt").upload(com.azure.core.util.BinaryData.fromString("two"));
        return data;
    }

    private List<String> importArgs(BlobContainerClient data, String... extra) throws IOException {
        AZURITE.createContainer(LOGS);
        String container = data.getBlobContainerName();
        Path root = Files.createDirectories(dir.resolve("lustre-" + container));
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--local",
                                "--web-ui-port",
                                Integer.toString(freePort()),
                                "--mode",
                                "import",
                                "--storage.connection-string",
                                AZURITE.connectionString(),
                                "--storage.container",
                                container,
                                "--logging.container",
                                LOGS,
                                "--lustre.root",
                                root.toString(),
                                "--job.checkpoint-interval",
                                "500ms"));
        args.addAll(List.of(extra));
        return args;
    }

    /** Starts the entry point in its own JVM with SIGINT and SIGTERM at their defaults. */
    private Path start(List<String> args) throws IOException {
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "perl",
                                "-e",
                                "$SIG{INT} = 'DEFAULT'; $SIG{TERM} = 'DEFAULT'; exec @ARGV or die",
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx512m",
                                "-cp",
                                classpath,
                                AutoImportJob.class.getName()));
        command.addAll(args);
        Path out = Files.createTempFile(dir, "local-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectOutput(out.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        process = pb.start();
        return out;
    }

    private void awaitRunningJob(int port, Path out) {
        HttpClient http = HttpClient.newHttpClient();
        Wait.until(
                "a RUNNING job in the embedded Flink at port " + port,
                Duration.ofMinutes(2),
                Duration.ofMillis(250),
                () -> {
                    if (!process.isAlive()) {
                        return "process exited: " + readQuietly(out);
                    }
                    try {
                        HttpResponse<String> r =
                                http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + port
                                                                        + "/jobs/overview"))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                        return r.body().contains("\"state\":\"RUNNING\"") ? "RUNNING" : r.body();
                    } catch (IOException e) {
                        return "REST not up: " + e;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return "interrupted";
                    }
                },
                "RUNNING"::equals);
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
