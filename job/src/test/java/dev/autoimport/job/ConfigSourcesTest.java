package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where settings come from: flags, the YAML file of --config, the Flink configuration, defaults;
 * and what the job leaves to the cluster's configuration.
 */
class ConfigSourcesTest {

    private static final String CONNECTION_STRING =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    @TempDir Path dir;

    private Path yaml(String text) throws Exception {
        Path file = dir.resolve("auto-import.yaml");
        Files.writeString(file, text);
        return file;
    }

    private String required() {
        return "lustre.root: "
                + dir
                + "\nstorage.connection-string: \""
                + CONNECTION_STRING
                + "\"\nlogging.container: logs\n";
    }

    private static JobSettings settings(Configuration flink, String... args) {
        return JobSettings.from(CommandLine.parse(args, flink).configuration);
    }

    @Test
    void nestedKeysAndListsAreTheSameAsDottedOnesAsInFlinksConfigYaml() throws Exception {
        Path nested =
                yaml(
                        required()
                                + "storage:\n"
                                + "  container: data # a comment\n"
                                + "sync:\n"
                                + "  conflict-mode: overwrite-if-dirty\n"
                                + "  enable-deletions: true\n"
                                + "import:\n"
                                + "  prefixes:\n"
                                + "    - /projects\n"
                                + "    - scratch/\n"
                                + "changefeed: {poll-interval: 500 ms}\n");
        JobSettings s = settings(new Configuration(), "--config", nested.toString());
        assertThat(s.storage.container()).isEqualTo("data");
        assertThat(s.conflictMode).isEqualTo(ConflictMode.OVERWRITE_IF_DIRTY);
        assertThat(s.enableDeletions).isTrue();
        assertThat(s.prefixes.asList()).containsExactly("projects", "scratch/");
        assertThat(s.pollInterval).isEqualTo(Duration.ofMillis(500));

        Path flat =
                yaml(
                        required()
                                + "storage.container: data\n"
                                + "import.prefixes: [/projects, scratch/]\n");
        JobSettings f = settings(new Configuration(), "--config", flat.toString());
        assertThat(f.storage.container()).isEqualTo("data");
        assertThat(f.prefixes.asList()).containsExactly("projects", "scratch/");
    }

    @Test
    void eachProblemOfTheFileIsOneLineNamingTheKeyAndLine() throws Exception {
        Path unknownNested = yaml(required() + "storage:\n  container: data\n  contaner: x\n");
        assertThatThrownBy(
                        () -> settings(new Configuration(), "--config", unknownNested.toString()))
                .hasMessage(
                        "setting config: '"
                                + unknownNested
                                + "' line 6: unknown setting 'storage.contaner'; see --help for"
                                + " the settings this job accepts");

        Path unknownTop = yaml(required() + "lustre-root: /x\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", unknownTop.toString()))
                .hasMessageEndingWith(
                        "line 4: unknown setting 'lustre-root'; see --help for the settings this"
                                + " job accepts");

        Path twice = yaml(required() + "storage.container: a\nstorage:\n  container: b\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", twice.toString()))
                .hasMessageEndingWith("line 6: setting storage.container is given twice");

        Path unitless = yaml(required() + "storage.container: data\njob.checkpoint-interval: 10\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", unitless.toString()))
                .hasMessageStartingWith("setting job.checkpoint-interval: '10' has no unit");

        Path yes = yaml(required() + "storage.container: data\nsync.enable-deletions: yes\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", yes.toString()))
                .hasMessage(
                        "setting sync.enable-deletions: 'yes' is not a boolean; write true or false");

        Path listForOne = yaml(required() + "storage.container: [a, b]\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", listForOne.toString()))
                .hasMessageEndingWith("setting storage.container takes one value, not a list");

        Path empty = yaml(required() + "storage.container:\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", empty.toString()))
                .hasMessageEndingWith("setting storage.container has no value");

        Path broken = yaml(required() + "storage: [unclosed\n");
        assertThatThrownBy(() -> settings(new Configuration(), "--config", broken.toString()))
                .hasMessageStartingWith("setting config: '" + broken + "' is not valid YAML")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        assertThatThrownBy(
                        () ->
                                settings(
                                        new Configuration(),
                                        "--config",
                                        dir.resolve("missing.yaml").toString()))
                .hasMessageStartingWith("setting config: cannot read");
    }

    @Test
    void flagsWinOverTheFileWhichWinsOverTheFlinkConfigurationWhichWinsOverDefaults()
            throws Exception {
        Configuration flink = new Configuration();
        flink.setString("storage.container", "from-flink");
        flink.setString("sync.conflict-mode", "overwrite-always");
        flink.setString("lustre.max-concurrent-writes", "7");
        flink.setString("import.prefixes", "a;b");
        flink.setString("taskmanager.numberOfTaskSlots", "4"); // Flink's own keys are ignored
        Path file =
                yaml(
                        required()
                                + "storage.container: from-file\nsync.conflict-mode: overwrite-if-dirty\n");

        JobSettings s =
                settings(
                        flink,
                        "--sync.conflict-mode",
                        "skip",
                        "--config",
                        file.toString(),
                        "--job.name",
                        "flagged");
        assertThat(s.conflictMode).as("a flag, even before --config").isEqualTo(ConflictMode.SKIP);
        assertThat(s.storage.container()).as("the file over Flink's").isEqualTo("from-file");
        assertThat(s.maxConcurrentWrites).as("Flink's over the default").isEqualTo(7);
        assertThat(s.prefixes.asList()).containsExactly("a", "b");
        assertThat(s.jobName).isEqualTo("flagged");
        assertThat(s.maxErrors).as("the default").isZero();

        // All of a job's settings from the Flink configuration alone (flinkConfiguration, -D).
        Configuration only = new Configuration();
        only.setString("storage.connection-string", CONNECTION_STRING);
        only.setString("storage.container", "data");
        only.setString("logging.container", "logs");
        only.setString("lustre.root", dir.toString());
        only.set(
                org.apache.flink.configuration.ConfigOptions.key("import.prefixes")
                        .stringType()
                        .asList()
                        .noDefaultValue(),
                List.of("x/", "y/"));
        JobSettings fromFlink = settings(only);
        assertThat(fromFlink.storage.container()).isEqualTo("data");
        assertThat(fromFlink.prefixes.asList()).containsExactly("x/", "y/");

        // A bad value there is named like a bad flag.
        only.setString("job.checkpoint-interval", "10");
        assertThatThrownBy(() -> settings(only))
                .hasMessageStartingWith("setting job.checkpoint-interval: '10' has no unit");
    }

    @Test
    void checkpointingAndTheStateBackendAreTheClustersUnlessTheJobSetsThem() throws Exception {
        Path file = yaml(required() + "storage.container: data\n");

        // The cluster configures both: the job leaves them.
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(42));
        cluster.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        JobEnvironment.configure(env, settings(cluster, "--config", file.toString()));
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(42));
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("hashmap");

        // The user sets the interval for this job: it wins.
        env = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        JobEnvironment.configure(
                env,
                settings(cluster, "--config", file.toString(), "--job.checkpoint-interval", "3s"));
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(3));

        // The cluster sets nothing: the job's defaults.
        Configuration bare = new Configuration();
        env = StreamExecutionEnvironment.getExecutionEnvironment(bare);
        JobEnvironment.configure(env, settings(bare, "--config", file.toString()));
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(JobEnvironment.DEFAULT_CHECKPOINT_INTERVAL);
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo(JobEnvironment.DEFAULT_STATE_BACKEND);
        assertThat(env.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS))
                .isTrue();
    }
}
