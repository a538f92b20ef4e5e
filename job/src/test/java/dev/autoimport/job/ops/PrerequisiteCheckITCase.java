package dev.autoimport.job.ops;

import static dev.autoimport.job.ops.OpsFixture.LOGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.azure.core.util.BinaryData;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.job.AutoImportJob;
import dev.autoimport.job.CommandLine;
import dev.autoimport.job.JobSettings;
import dev.autoimport.job.ops.OpsFixture.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each prerequisite the job checks before submission fails with one line and a non-zero exit.
 * Nothing here reaches Flink: a check that wrongly passed would fail the test by submitting.
 */
class PrerequisiteCheckITCase {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final String CONTAINER = "prerequisites";
    private static final String WRONG_KEY = "V3JvbmdLZXlGb3JUZXN0c09ubHlOb3RBUmVhbEtleQ==";

    @TempDir Path root;

    @BeforeAll
    static void containers() {
        AZURITE.createContainer(CONTAINER);
        AZURITE.createContainer(LOGS);
    }

    @Test
    void aMissingContainerIsOneLine() throws Exception {
        Run run =
                OpsFixture.run(
                        OpsFixture.importArgs(AZURITE, "no-such-container", root.toString()));
        assertThat(run.code).as(run.toString()).isEqualTo(AutoImportJob.EXIT_PREREQUISITES);
        assertThat(problemLines(run))
                .containsExactly(
                        "auto-import: storage.container: container 'no-such-container' does not exist at "
                                + AZURITE.blobEndpoint()
                                + "; create it to mirror, or fix the name");
    }

    @Test
    void aMissingLoggingContainerIsOneLine() throws Exception {
        List<String> args = OpsFixture.importArgs(AZURITE, CONTAINER, root.toString());
        args.set(args.indexOf(LOGS), "no-such-logs");
        Run run = OpsFixture.run(args);
        assertThat(run.code).as(run.toString()).isEqualTo(AutoImportJob.EXIT_PREREQUISITES);
        assertThat(problemLines(run))
                .singleElement()
                .asString()
                .startsWith(
                        "auto-import: logging.container: container 'no-such-logs' does not exist");
    }

    @Test
    void aWrongKeyIsAnAuthenticationProblemThatDoesNotPrintTheKey() throws Exception {
        List<String> args = OpsFixture.importArgs(AZURITE, CONTAINER, root.toString());
        int i = args.indexOf("--storage.connection-string") + 1;
        args.set(i, args.get(i).replace(AzuriteExtension.ACCOUNT_KEY, WRONG_KEY));
        Run run = OpsFixture.run(args);
        assertThat(run.code).as(run.toString()).isEqualTo(AutoImportJob.EXIT_PREREQUISITES);
        assertThat(problemLines(run))
                .singleElement()
                .asString()
                .startsWith(
                        "auto-import: storage credential: "
                                + AZURITE.blobEndpoint()
                                + " refused the connection string")
                .contains("HTTP 403")
                .contains("check the account name and key");
        assertThat(run.out + run.err)
                .doesNotContain(WRONG_KEY)
                .doesNotContain(AzuriteExtension.ACCOUNT_KEY);
    }

    @Test
    void aRootThatCannotBeWrittenIsOneLine() throws Exception {
        Path readOnly = readOnlyDirectory();
        Run run = OpsFixture.run(OpsFixture.importArgs(AZURITE, CONTAINER, readOnly.toString()));
        assertThat(run.code).as(run.toString()).isNotZero();
        assertThat(run.err).contains("lustre.root").contains("is not writable");
        assertThat(run.err.lines().filter(l -> l.contains("not writable"))).hasSize(1);
    }

    @Test
    void autoImportNeedsTheChangeFeed() throws Exception {
        List<String> args = OpsFixture.importArgs(AZURITE, CONTAINER, root.toString());
        args.set(args.indexOf("import"), "auto-import");
        Run run = OpsFixture.run(args);
        assertThat(run.code).as(run.toString()).isEqualTo(AutoImportJob.EXIT_PREREQUISITES);
        assertThat(problemLines(run))
                .singleElement()
                .asString()
                .startsWith(
                        "auto-import: change feed: the account at "
                                + AZURITE.blobEndpoint()
                                + " has no change feed")
                .contains("$blobchangefeed/meta/segments.json not found")
                .contains("--mode import");

        AZURITE.createContainer("$blobchangefeed")
                .getBlobClient("meta/segments.json")
                .upload(
                        BinaryData.fromString(
                                "{\"version\":0,\"lastConsumable\":\"2026-01-01T00:00:00Z\"}"),
                        true);
        try {
            JobSettings settings =
                    JobSettings.from(CommandLine.parse(args.toArray(String[]::new)).configuration);
            List<String> notes = new ArrayList<>();
            assertThat(new PrerequisiteCheck(settings).problems(notes::add))
                    .as("Azurite reports its account information: no hierarchical namespace")
                    .isEmpty();
            assertThat(notes).isEmpty();
        } finally {
            AZURITE.serviceClient().getBlobContainerClient("$blobchangefeed").delete();
        }
    }

    @Test
    void onlyLoopbackAndTheDevelopmentAccountCountAsEmulators() {
        assertThat(PrerequisiteCheck.isEmulator(AZURITE.blobEndpoint())).isTrue();
        assertThat(PrerequisiteCheck.isEmulator("http://azurite:10000/devstoreaccount1")).isTrue();
        assertThat(PrerequisiteCheck.isEmulator("https://acct.blob.core.windows.net")).isFalse();
    }

    private static List<String> problemLines(Run run) {
        return run.err
                .lines()
                .filter(l -> !l.equals("auto-import: nothing was submitted"))
                .toList();
    }

    /** A directory this process cannot write: mode 0555, or a read-only mount when run as root. */
    private Path readOnlyDirectory() throws Exception {
        Path dir = Files.createDirectory(root.resolve("read-only"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (!Files.isWritable(dir)) {
            return dir;
        }
        Path procSys = Paths.get("/proc/sys");
        assumeThat(Files.isDirectory(procSys) && !Files.isWritable(procSys))
                .as("running as root without a read-only mount to test with")
                .isTrue();
        return procSys;
    }
}
