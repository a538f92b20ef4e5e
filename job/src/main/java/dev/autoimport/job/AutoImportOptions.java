package dev.autoimport.job;

import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.lustre.RepairSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every setting of the job, as typed Flink options: the configuration reference in README.md and
 * {@code --help} are generated from this one list.
 */
public final class AutoImportOptions {

    public static final ConfigOption<String> MODE =
            ConfigOptions.key("mode")
                    .stringType()
                    .defaultValue(JobMode.AUTO_IMPORT.value())
                    .withDescription(
                            "import: walk the container once and finish; auto-import: walk, then follow the change feed forever.");

    public static final ConfigOption<String> STORAGE_ENDPOINT =
            ConfigOptions.key("storage.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Blob service URL, e.g. https://account.blob.core.windows.net. Required unless storage.connection-string names it.");

    public static final ConfigOption<String> STORAGE_CONTAINER =
            ConfigOptions.key("storage.container")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The container to mirror. Required.");

    public static final ConfigOption<String> STORAGE_CONNECTION_STRING =
            ConfigOptions.key("storage.connection-string")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Authenticate with this connection string (a secret; never logged).");

    public static final ConfigOption<String> STORAGE_SAS_TOKEN =
            ConfigOptions.key("storage.sas-token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Authenticate with this shared access signature (a secret; never logged). Without it or a connection string, the Azure default credential chain (managed or workload identity) is used.");

    public static final ConfigOption<String> LUSTRE_ROOT =
            ConfigOptions.key("lustre.root")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Absolute path of an existing, writable directory on every task manager. Required.");

    public static final ConfigOption<List<String>> IMPORT_PREFIXES =
            ConfigOptions.key("import.prefixes")
                    .stringType()
                    .asList()
                    .defaultValues("/")
                    .withDescription(
                            "Up to 100 blob-name prefixes to import, separated by ';'. A leading '/' is optional; '/' means everything. Two prefixes where one starts with the other are rejected.");

    public static final ConfigOption<String> CONFLICT_MODE =
            ConfigOptions.key("sync.conflict-mode")
                    .stringType()
                    .defaultValue(ConflictMode.SKIP.value())
                    .withDescription(
                            "skip, overwrite-if-dirty or overwrite-always; fail for the import job only.");

    public static final ConfigOption<Boolean> ENABLE_DELETIONS =
            ConfigOptions.key("sync.enable-deletions")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Delete Lustre files whose blobs are deleted (blob sync only; never during the walk).");

    public static final ConfigOption<Integer> MAX_ERRORS =
            ConfigOptions.key("import.max-errors")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Import job only: -1 never stops for errors, 0 stops at the first, N stops after more than N.");

    public static final ConfigOption<String> LOGGING_CONTAINER =
            ConfigOptions.key("logging.container")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Container (same account) for the error log and job reports. Required.");

    public static final ConfigOption<Boolean> ALLOW_SETUID =
            ConfigOptions.key("metadata.allow-setuid")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Keep set-user-ID and set-group-ID bits from blob metadata (dropped by default).");

    public static final ConfigOption<Integer> MAX_CONCURRENT_WRITES =
            ConfigOptions.key("lustre.max-concurrent-writes")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Downloads and writes in flight per sink subtask (1 to 1024).");

    public static final ConfigOption<Duration> POLL_INTERVAL =
            ConfigOptions.key("changefeed.poll-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "How long the change-feed reader waits before looking for new events when it has read everything.");

    public static final ConfigOption<Boolean> DRY_RUN =
            ConfigOptions.key("dry-run")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Import job only: decide every blob as usual against the tree as it is, print the counts and write what would be imported, replaced, deleted or kept as a conflict to the logging container (plans/), and change nothing under the Lustre root. A bare --dry-run means true.");

    public static final ConfigOption<Integer> STORAGE_MAX_TRIES =
            ConfigOptions.key("storage.max-tries")
                    .intType()
                    .defaultValue(BlobStorageConfig.DEFAULT_MAX_TRIES)
                    .withDescription(
                            "How often the storage client tries one request before a transient failure (throttling, 5xx, a refused or reset connection) reaches the job (1 to 20); the default rides out about 28 s.");

    public static final ConfigOption<Duration> REPAIR_DELAY =
            ConfigOptions.key("sync.repair-delay")
                    .durationType()
                    .defaultValue(RepairSchedule.DEFAULT_FIRST_REPAIR_DELAY)
                    .withDescription(
                            "Blob sync only: a blob whose download still fails for a passing reason after a few tries in place is tried again after this long, then after twice as long, up to "
                                    + RepairSchedule.DEFAULT_MAX_REPAIRS
                                    + " times and at most "
                                    + RepairSchedule.DEFAULT_MAX_REPAIR_DELAY.toMinutes()
                                    + " min apart, across failovers; only then is it an error.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("job.checkpoint-interval")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How often the job checkpoints (the change-feed position and the import records). Unset: the cluster's execution.checkpointing.interval, or "
                                    + JobEnvironment.DEFAULT_CHECKPOINT_INTERVAL_TEXT
                                    + " when the cluster sets none.");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("job.parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Parallelism of the job; -1 takes the cluster's default.");

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name shown in the Flink web UI; defaults to 'auto-import <container> -> <root>'.");

    /** All options, in the order --help and the README list them. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    MODE,
                    STORAGE_ENDPOINT,
                    STORAGE_CONTAINER,
                    STORAGE_CONNECTION_STRING,
                    STORAGE_SAS_TOKEN,
                    LUSTRE_ROOT,
                    IMPORT_PREFIXES,
                    CONFLICT_MODE,
                    ENABLE_DELETIONS,
                    MAX_ERRORS,
                    LOGGING_CONTAINER,
                    ALLOW_SETUID,
                    MAX_CONCURRENT_WRITES,
                    POLL_INTERVAL,
                    CHECKPOINT_INTERVAL,
                    PARALLELISM,
                    REPAIR_DELAY,
                    DRY_RUN,
                    STORAGE_MAX_TRIES,
                    JOB_NAME);

    /** Options that take a list (in a flag: items separated by ';'; in YAML: a list). */
    public static final Set<ConfigOption<?>> LISTS = Set.of(IMPORT_PREFIXES);

    /** Options whose values are secrets: never printed, logged, or put in the job configuration. */
    public static final List<ConfigOption<?>> SECRETS =
            List.of(STORAGE_CONNECTION_STRING, STORAGE_SAS_TOKEN);

    /** The option with this key, or null. */
    public static ConfigOption<?> byKey(String key) {
        for (ConfigOption<?> option : ALL) {
            if (option.key().equals(key)) {
                return option;
            }
        }
        return null;
    }

    private AutoImportOptions() {}
}
