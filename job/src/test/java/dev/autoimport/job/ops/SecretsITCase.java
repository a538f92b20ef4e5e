package dev.autoimport.job.ops;

import static dev.autoimport.job.ops.OpsFixture.LOGS;
import static dev.autoimport.job.ops.OpsFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.ops.OpsFixture.Run;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never appear in logs, printed output, the logging container, or what the Flink REST API
 * (and so the web UI) shows of a job: runs jobs with a connection string and with a SAS token, with
 * failing blobs so that errors are logged, and searches everything for the secret.
 */
class SecretsITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final String CONTAINER = "secrets";
    private static final Pattern JOB_ID = Pattern.compile("auto-import: job ([0-9a-f]{32}) ");

    private static final Capture CAPTURE = new Capture();
    private static Appender console;
    private static Level rootLevel;
    private static BlobContainerClient logs;

    @TempDir Path work;

    @BeforeAll
    static void captureEveryLogLine() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        LoggerConfig rootLogger = ctx.getConfiguration().getRootLogger();
        rootLevel = rootLogger.getLevel();
        console = rootLogger.getAppenders().get("ConsoleAppender");
        rootLogger.removeAppender("ConsoleAppender");
        CAPTURE.start();
        rootLogger.addAppender(CAPTURE, Level.ALL, null);
        rootLogger.setLevel(Level.INFO);
        ctx.updateLoggers();

        BlobContainerClient c = AZURITE.createContainer(CONTAINER);
        logs = AZURITE.createContainer(LOGS);
        for (int i = 0; i < 5; i++) {
            upload(c, "f" + i + ".txt", "content " + i + "\n", Map.of());
        }
        upload(c, "bad/../name.txt", "refused\n", Map.of());
    }

    @AfterAll
    static void restoreLogging() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        LoggerConfig rootLogger = ctx.getConfiguration().getRootLogger();
        rootLogger.removeAppender(CAPTURE.getName());
        if (console != null) {
            rootLogger.addAppender(console, null, null);
        }
        rootLogger.setLevel(rootLevel);
        ctx.updateLoggers();
    }

    @Test
    void aConnectionStringShowsNowhere(@InjectClusterRESTAddress URI rest) throws Exception {
        Path root = Files.createDirectory(work.resolve("connection-string"));
        Run run = OpsFixture.run(OpsFixture.importArgs(AZURITE, CONTAINER, root.toString()));
        assertThat(run.err).contains("more than import.max-errors=0");
        Run unlimited =
                OpsFixture.run(
                        OpsFixture.importArgs(
                                AZURITE,
                                CONTAINER,
                                Files.createDirectory(work.resolve("unlimited")).toString(),
                                "--import.max-errors",
                                "-1"));
        assertThat(unlimited.code).as(unlimited.toString()).isZero();

        String everything = everythingShown(rest, run, unlimited);
        assertThat(CAPTURE.text()).as("the capture works").contains("bad/../name.txt");
        assertThat(everything)
                .doesNotContain(AzuriteExtension.ACCOUNT_KEY)
                .doesNotContain(
                        URLEncoder.encode(AzuriteExtension.ACCOUNT_KEY, StandardCharsets.UTF_8))
                .doesNotContain(AZURITE.connectionString());
    }

    @Test
    void aSasTokenShowsNowhere(@InjectClusterRESTAddress URI rest) throws Exception {
        String sas =
                AZURITE.serviceClient()
                        .generateAccountSas(
                                new AccountSasSignatureValues(
                                        OffsetDateTime.now().plusHours(1),
                                        AccountSasPermission.parse("rwdlacu"),
                                        new AccountSasService().setBlobAccess(true),
                                        AccountSasResourceType.parse("sco")));
        String signature = signatureOf(sas);
        Path root = Files.createDirectory(work.resolve("sas"));
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--mode",
                                "import",
                                "--storage.endpoint",
                                AZURITE.blobEndpoint(),
                                "--storage.sas-token",
                                sas,
                                "--storage.container",
                                CONTAINER,
                                "--logging.container",
                                LOGS,
                                "--lustre.root",
                                root.toString(),
                                "--import.max-errors",
                                "-1",
                                "--job.parallelism",
                                "2"));
        Run run = OpsFixture.run(args);
        assertThat(run.code).as(run.toString()).isZero();
        assertThat(root.resolve("f0.txt")).exists();

        String everything = everythingShown(rest, run);
        assertThat(everything)
                .doesNotContain(signature)
                .doesNotContain(URLDecoder.decode(signature, StandardCharsets.UTF_8))
                .doesNotContain(sas);
    }

    /** Printed output, log lines, the logging container, and the REST views of every job. */
    private String everythingShown(URI rest, Run... runs) throws Exception {
        StringBuilder all = new StringBuilder(CAPTURE.text());
        for (Run r : runs) {
            all.append(r.out).append(r.err);
        }
        HttpClient http = HttpClient.newHttpClient();
        all.append(get(http, rest, "/jobmanager/config"));
        String overview = get(http, rest, "/jobs/overview");
        all.append(overview);
        Matcher ids = Pattern.compile("\"jid\":\"([0-9a-f]{32})\"").matcher(overview);
        int jobs = 0;
        while (ids.find()) {
            String id = ids.group(1);
            jobs++;
            for (String view : List.of("", "/config", "/plan", "/exceptions", "/accumulators")) {
                all.append(get(http, rest, "/jobs/" + id + view));
            }
        }
        assertThat(jobs).as("jobs found in the REST API").isPositive();
        for (Run r : runs) {
            Matcher m = JOB_ID.matcher(r.out);
            if (m.find()) {
                assertThat(overview).contains(m.group(1));
            }
        }
        for (BlobItem item : logs.listBlobs()) {
            var blob = logs.getBlobClient(item.getName());
            all.append(item.getName()).append(blob.getProperties().getMetadata());
            all.append(blob.downloadContent().toString());
        }
        return all.toString();
    }

    private static String get(HttpClient http, URI rest, String path) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    private static String signatureOf(String sas) {
        for (String part : sas.split("&")) {
            if (part.startsWith("sig=")) {
                return part.substring(4);
            }
        }
        throw new AssertionError("no sig= in " + sas.replaceAll("sig=[^&]*", "sig=..."));
    }

    /** Keeps every log line and stack trace, as text. */
    private static final class Capture extends AbstractAppender {
        private final StringBuffer text = new StringBuffer();

        Capture() {
            super("secrets-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            text.append(event.getLoggerName())
                    .append(' ')
                    .append(event.getMessage().getFormattedMessage())
                    .append('\n');
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                text.append(trace);
            }
        }

        String text() {
            return text.toString();
        }
    }
}
