package dev.autoimport.job.ops;

import static dev.autoimport.job.ops.OpsFixture.LOGS;
import static dev.autoimport.job.ops.OpsFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.AutoImportJob;
import dev.autoimport.job.ops.OpsFixture.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error log, the walk's summary and import.max-errors, through the job's main on a real Azurite
 * and MiniCluster, with a container seeded with blobs that cannot be imported.
 */
class ErrorLogITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final String CONTAINER = "seeded-with-bad-blobs";
    private static final int GOOD_FILES = 10;

    /** Blobs the job must refuse, one error each. */
    private static final Set<String> BAD =
            Set.of("bad/../escape.txt", "dots/./here.txt", "quote\"and é ü/../x", "long-link");

    /** A link and a blob below it: exactly one of the two fails, whichever comes second. */
    private static final Set<String> LINK_PAIR = Set.of("lnk", "lnk/child.txt");

    private static final int BLOBS = GOOD_FILES + BAD.size() + LINK_PAIR.size();
    private static final int ERRORS = BAD.size() + 1;

    private static BlobContainerClient logs;

    @TempDir Path work;

    @BeforeAll
    static void seed() {
        BlobContainerClient c = AZURITE.createContainer(CONTAINER);
        logs = AZURITE.createContainer(LOGS);
        for (int i = 0; i < GOOD_FILES; i++) {
            upload(c, "good/f" + i + ".txt", "content " + i + "\n", Map.of());
        }
        upload(c, "bad/../escape.txt", "escape\n", Map.of());
        upload(c, "dots/./here.txt", "dot\n", Map.of());
        upload(c, "quote\"and é ü/../x", "quote\n", Map.of());
        upload(c, "long-link", "t".repeat(5000), Map.of("ftype", "LNK"));
        upload(c, "lnk", "somewhere/else", Map.of("ftype", "LNK"));
        upload(c, "lnk/child.txt", "below a link\n", Map.of());
    }

    @Test
    void everyFailedBlobIsExactlyOneJsonLineAndTheSummaryIsPrinted() throws Exception {
        Path root = Files.createDirectory(work.resolve("unlimited"));
        Run run =
                OpsFixture.run(
                        OpsFixture.importArgs(
                                AZURITE, CONTAINER, root.toString(), "--import.max-errors", "-1"));
        assertThat(run.code).as(run.toString()).isZero();

        String jobName = OpsFixture.defaultJobName(CONTAINER, root.toString());
        List<ErrorLogEntry> lines = OpsFixture.errorLog(logs, jobName);
        assertThat(lines).as("one line per failed blob").hasSize(ERRORS);
        Set<String> failed = lines.stream().map(e -> e.blobName).collect(Collectors.toSet());
        assertThat(failed).hasSize(ERRORS).containsAll(BAD);
        assertThat(failed.stream().filter(LINK_PAIR::contains)).hasSize(1);
        for (ErrorLogEntry e : lines) {
            assertThat(e.level).isEqualTo("error");
            assertThat(e.phase).isEqualTo("fullSync");
            assertThat(e.error).isNotBlank();
            assertThat(e.time).isNotNull();
        }
        ErrorLogEntry dotDot = only(lines, "bad/../escape.txt");
        assertThat(dotDot.operation).isEqualTo("decide");
        assertThat(dotDot.attempts).isZero();
        assertThat(dotDot.path).isNull();
        assertThat(only(lines, "long-link").error).contains("4096");

        assertThat(run.out)
                .contains("walk complete, 1 of 1 subtask report(s)")
                .containsPattern("blobsWalked +" + BLOBS + "\\b")
                .containsPattern("errors +" + ERRORS + "\\b")
                .containsPattern("blobsImported +" + (GOOD_FILES + 1) + "\\b")
                .contains("errors/" + LoggingContainerLayout.jobSegment(jobName) + "/");
    }

    @Test
    void maxErrorsZeroStopsAtTheFirstAndSaysWhereTheLogIs() throws Exception {
        Path root = Files.createDirectory(work.resolve("zero"));
        Run run =
                OpsFixture.run(
                        OpsFixture.importArgs(
                                AZURITE, CONTAINER, root.toString(), "--import.max-errors", "0"));
        assertThat(run.code).as(run.toString()).isEqualTo(AutoImportJob.EXIT_JOB_FAILED);
        String jobName = OpsFixture.defaultJobName(CONTAINER, root.toString());
        assertThat(run.err)
                .containsPattern(
                        "the import stopped: \\d+ blobs? failed, more than import.max-errors=0")
                .contains("container '" + LOGS + "'")
                .contains("errors/" + LoggingContainerLayout.jobSegment(jobName) + "/");
        assertThat(OpsFixture.errorLog(logs, jobName)).isNotEmpty();
    }

    @Test
    void maxErrorsNStopsAfterMoreThanNAcrossAllSubtasks() throws Exception {
        Path below = Files.createDirectory(work.resolve("below"));
        Run stopped =
                OpsFixture.run(
                        OpsFixture.importArgs(
                                AZURITE,
                                CONTAINER,
                                below.toString(),
                                "--import.max-errors",
                                String.valueOf(ERRORS - 1)));
        assertThat(stopped.code).as(stopped.toString()).isEqualTo(AutoImportJob.EXIT_JOB_FAILED);
        assertThat(stopped.err)
                .contains(
                        "the import stopped: "
                                + ERRORS
                                + " blobs failed, more than import.max-errors="
                                + (ERRORS - 1));

        Path enough = Files.createDirectory(work.resolve("enough"));
        Run passed =
                OpsFixture.run(
                        OpsFixture.importArgs(
                                AZURITE,
                                CONTAINER,
                                enough.toString(),
                                "--import.max-errors",
                                String.valueOf(ERRORS)));
        assertThat(passed.code).as(passed.toString()).isZero();
        assertThat(passed.out).containsPattern("errors +" + ERRORS + "\\b");
    }

    private static ErrorLogEntry only(List<ErrorLogEntry> lines, String blobName) {
        List<ErrorLogEntry> matching =
                lines.stream().filter(e -> blobName.equals(e.blobName)).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }
}
