package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSettingsTest {

    private static final String CONNECTION_STRING =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    @TempDir Path root;

    private List<String> valid() {
        return new ArrayList<>(
                List.of(
                        "--storage.connection-string",
                        CONNECTION_STRING,
                        "--storage.container",
                        "data",
                        "--logging.container",
                        "auto-import-logs",
                        "--lustre.root",
                        root.toString()));
    }

    private JobSettings settings(List<String> args) {
        return JobSettings.from(CommandLine.parse(args.toArray(String[]::new)).configuration);
    }

    private List<String> with(String... more) {
        List<String> args = valid();
        args.addAll(Arrays.asList(more));
        return args;
    }

    @Test
    void defaultsFollowTheSpec() {
        JobSettings s = settings(valid());
        assertThat(s.mode).isEqualTo(JobMode.AUTO_IMPORT);
        assertThat(s.conflictMode).isEqualTo(ConflictMode.SKIP);
        assertThat(s.enableDeletions).isFalse();
        assertThat(s.maxErrors).isZero();
        assertThat(s.prefixes.asList()).containsExactly("");
        assertThat(s.storage.endpoint()).isEqualTo("http://127.0.0.1:10000/devstoreaccount1");
        assertThat(s.storage.toString()).doesNotContain("c2VjcmV0");
        assertThat(s.repairDelay).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void eachBadSettingIsNamedWithWhatItAccepts() {
        assertThatThrownBy(() -> settings(with("--sync.conflict-mode", "sometimes")))
                .hasMessage(
                        "setting sync.conflict-mode: 'sometimes' is not one of skip, overwrite-if-dirty, overwrite-always, fail");
        assertThatThrownBy(() -> settings(with("--sync.conflict-mode", "fail")))
                .hasMessageStartingWith(
                        "setting sync.conflict-mode: 'fail' is for the import job only");
        assertThatThrownBy(() -> settings(with("--mode", "mirror")))
                .hasMessage("setting mode: 'mirror' is not one of import, auto-import");
        assertThatThrownBy(() -> settings(with("--import.max-errors", "-2")))
                .hasMessageStartingWith("setting import.max-errors: -2 is not accepted");
        assertThatThrownBy(() -> settings(with("--import.prefixes", "/data;/data2")))
                .hasMessageStartingWith(
                        "setting import.prefixes: prefix '/data' is a string prefix");
        assertThatThrownBy(() -> settings(with("--storage.container", "Bad_Name")))
                .hasMessageStartingWith(
                        "setting storage.container: 'Bad_Name' is not a valid container name");
        assertThatThrownBy(() -> settings(with("--lustre.root", "relative/dir")))
                .hasMessageStartingWith("setting lustre.root: 'relative/dir' is not absolute");
        assertThatThrownBy(
                        () -> settings(with("--lustre.root", root.resolve("missing").toString())))
                .hasMessageContaining("is not an existing directory");
        assertThatThrownBy(() -> settings(with("--lustre.max-concurrent-writes", "0")))
                .hasMessageStartingWith("setting lustre.max-concurrent-writes: 0 is out of range");
        assertThatThrownBy(() -> settings(with("--sync.enable-deletions", "perhaps")))
                .hasMessage(
                        "setting sync.enable-deletions: 'perhaps' is not a boolean; write true or false");
        assertThatThrownBy(() -> settings(with("--metadata.allow-setuid", "yes")))
                .hasMessage(
                        "setting metadata.allow-setuid: 'yes' is not a boolean; write true or false");
        assertThatThrownBy(() -> settings(with("--job.parallelism", "four")))
                .hasMessage("setting job.parallelism: 'four' is not a whole number");
        assertThat(settings(with("--mode", "import", "--dry-run")).dryRun)
                .as("a bare --dry-run, as rclone's")
                .isTrue();
        assertThatThrownBy(() -> settings(with("--dry-run", "true")))
                .hasMessageStartingWith("setting dry-run: is for the import job only");
        assertThatThrownBy(() -> settings(with("--storage.max-tries", "0")))
                .hasMessage("setting storage.max-tries: 0 is out of range; use 1 to 20");
        assertThatThrownBy(() -> settings(with("--sync.repair-delay", "0s")))
                .hasMessage(
                        "setting sync.repair-delay: must be positive and at most 10 min, e.g. 30s");
        assertThatThrownBy(() -> settings(with("--sync.repair-delay", "1h")))
                .hasMessageStartingWith("setting sync.repair-delay: must be positive");
    }

    @Test
    void aDurationNeedsAUnitAndABadOneNamesTheAcceptedForms() {
        String forms =
                "write a whole number and a unit, e.g. 10s, 500ms, 5 min, 1h (units: ms, s, min, h, d)";
        assertThatThrownBy(() -> settings(with("--job.checkpoint-interval", "10")))
                .hasMessage("setting job.checkpoint-interval: '10' has no unit; " + forms);
        assertThatThrownBy(() -> settings(with("--changefeed.poll-interval", "ten seconds")))
                .hasMessage(
                        "setting changefeed.poll-interval: 'ten seconds' is not a duration; "
                                + forms);
        assertThatThrownBy(() -> settings(with("--changefeed.poll-interval", "10 parsecs")))
                .hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> settings(with("--changefeed.poll-interval", "-1s")))
                .hasMessageContaining("is not a duration");

        assertThat(settings(with("--job.checkpoint-interval", "5 min")).checkpointInterval)
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(settings(with("--changefeed.poll-interval", "500ms")).pollInterval)
                .isEqualTo(Duration.ofMillis(500));
        assertThat(settings(with("--job.checkpoint-interval", "1h")).checkpointInterval)
                .isEqualTo(Duration.ofHours(1));
        assertThat(settings(valid()).checkpointInterval)
                .as("unset: the cluster's interval")
                .isNull();
        assertThat(settings(valid()).pollInterval).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theEntryPointPrintsTheVersionAndNamesABadSettingInOneLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                AutoImportJob.run(
                        new String[] {"--version"},
                        new PrintStream(out, true),
                        new PrintStream(err));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(CommandLine.versionText());

        for (List<String> bad :
                List.of(
                        with("--job.checkpoint-interval", "10"),
                        with("--changefeed.poll-interval", "ten seconds"),
                        with("--sync.enable-deletions", "yes"))) {
            err.reset();
            code =
                    AutoImportJob.run(
                            bad.toArray(String[]::new),
                            new PrintStream(new ByteArrayOutputStream()),
                            new PrintStream(err, true));
            assertThat(code).isEqualTo(AutoImportJob.EXIT_BAD_SETTINGS);
            assertThat(err.toString(StandardCharsets.UTF_8).lines())
                    .containsExactly(
                            "auto-import: " + catchThrowable(() -> settings(bad)).getMessage(),
                            "auto-import: nothing was submitted; --help lists every setting");
        }
    }

    @Test
    void versionIsTheBuildsVersion() {
        CommandLine.Parsed parsed = CommandLine.parse(new String[] {"--version"});
        assertThat(parsed.version).isTrue();
        assertThat(parsed.help).isFalse();
        assertThat(CommandLine.versionText())
                .isEqualTo("auto-import " + AutoImportVersion.current() + "\n");
        assertThat(AutoImportVersion.current()).isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void requiredSettingsAreNamed() {
        assertThatThrownBy(() -> settings(List.of("--lustre.root", root.toString())))
                .hasMessageStartingWith("setting storage.container: required");
        assertThatThrownBy(
                        () ->
                                settings(
                                        List.of(
                                                "--storage.container",
                                                "data",
                                                "--logging.container",
                                                "logs",
                                                "--lustre.root",
                                                root.toString())))
                .hasMessageStartingWith("setting storage.endpoint: required");
    }

    @Test
    void unknownKeysAndTyposAreErrors() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--lustre.rot", "/x"}))
                .hasMessage(
                        "unknown setting 'lustre.rot'; see --help for the settings this job accepts");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--mode"}))
                .hasMessage("setting mode: a value is missing");
    }

    @Test
    void configFileThenFlagsWhichWin() throws Exception {
        Path file = root.resolve("auto-import.yaml");
        Files.writeString(
                file,
                "# settings\nstorage.container: data\nlogging.container: 'logs'\n"
                        + "storage.connection-string: \""
                        + CONNECTION_STRING
                        + "\"\nsync.conflict-mode: overwrite-if-dirty\nlustre.root: "
                        + root
                        + "\n");
        JobSettings s =
                JobSettings.from(
                        CommandLine.parse(
                                        new String[] {
                                            "--config",
                                            file.toString(),
                                            "--sync.conflict-mode=overwrite-always"
                                        })
                                .configuration);
        assertThat(s.conflictMode).isEqualTo(ConflictMode.OVERWRITE_ALWAYS);
        assertThat(s.loggingContainer).isEqualTo("logs");
    }

    @Test
    void helpListsEverySetting() {
        String help = CommandLine.helpText();
        for (var option : AutoImportOptions.ALL) {
            assertThat(help).contains("--" + option.key());
        }
        assertThat(help).contains("(default: skip)").contains("(default: /)");
        assertThat(help)
                .contains("--changefeed.poll-interval (default: 1s)")
                .doesNotContain("PT1S")
                .contains("--version");
    }
}
