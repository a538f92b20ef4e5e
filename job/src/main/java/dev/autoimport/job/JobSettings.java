package dev.autoimport.job;

import dev.autoimport.connector.blob.BlobStorageConfig;
import dev.autoimport.connector.lustre.RepairSchedule;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

/**
 * The validated settings of one job. {@link #from(Configuration)} checks everything SPEC section 2
 * asks before anything touches Lustre or the blob service, and fails with one line that names the
 * setting and what it accepts.
 */
public final class JobSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Azure's container naming rule: 3-63 lowercase letters, digits and single hyphens. */
    private static final Pattern CONTAINER_NAME =
            Pattern.compile("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$");

    public final JobMode mode;
    public final BlobStorageConfig storage;
    public final String loggingContainer;
    public final String lustreRoot;
    public final ImportPrefixes prefixes;
    public final ConflictMode conflictMode;
    public final boolean enableDeletions;
    public final int maxErrors;
    public final boolean allowSetuid;
    public final int maxConcurrentWrites;
    public final Duration pollInterval;
    public final Duration repairDelay;
    public final boolean dryRun;

    /**
     * The checkpoint interval the user set for this job, or null: then the Flink configuration's
     * (see {@link JobEnvironment}).
     */
    public final Duration checkpointInterval;

    public final int parallelism;
    public final String jobName;

    private JobSettings(Configuration c) {
        mode = parse(AutoImportOptions.MODE, c, JobMode::parse);
        String container = containerName(AutoImportOptions.STORAGE_CONTAINER, c);
        loggingContainer = containerName(AutoImportOptions.LOGGING_CONTAINER, c);
        int maxTries = integer(AutoImportOptions.STORAGE_MAX_TRIES, c);
        if (maxTries < 1 || maxTries > 20) {
            throw SettingsException.of(
                    AutoImportOptions.STORAGE_MAX_TRIES,
                    maxTries + " is out of range; use 1 to 20");
        }
        storage = storageConfig(c, container).withMaxTries(maxTries);
        lustreRoot = lustreRoot(c);
        prefixes = parse(AutoImportOptions.IMPORT_PREFIXES, c, ImportPrefixes::parse);
        conflictMode = parse(AutoImportOptions.CONFLICT_MODE, c, ConflictMode::parse);
        if (conflictMode == ConflictMode.FAIL && mode != JobMode.IMPORT) {
            throw SettingsException.of(
                    AutoImportOptions.CONFLICT_MODE,
                    "'fail' is for the import job only (mode=import); use skip, overwrite-if-dirty or overwrite-always");
        }
        enableDeletions = bool(AutoImportOptions.ENABLE_DELETIONS, c);
        maxErrors = integer(AutoImportOptions.MAX_ERRORS, c);
        if (maxErrors < -1) {
            throw SettingsException.of(
                    AutoImportOptions.MAX_ERRORS,
                    maxErrors
                            + " is not accepted; use -1 (unlimited), 0 (stop at the first) or a positive count");
        }
        allowSetuid = bool(AutoImportOptions.ALLOW_SETUID, c);
        maxConcurrentWrites = integer(AutoImportOptions.MAX_CONCURRENT_WRITES, c);
        if (maxConcurrentWrites < 1 || maxConcurrentWrites > 1024) {
            throw SettingsException.of(
                    AutoImportOptions.MAX_CONCURRENT_WRITES,
                    maxConcurrentWrites + " is out of range; use 1 to 1024");
        }
        pollInterval = duration(AutoImportOptions.POLL_INTERVAL, c);
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw SettingsException.of(
                    AutoImportOptions.POLL_INTERVAL, "must be positive, e.g. 1s or 500ms");
        }
        dryRun = bool(AutoImportOptions.DRY_RUN, c);
        if (dryRun && mode != JobMode.IMPORT) {
            throw SettingsException.of(
                    AutoImportOptions.DRY_RUN,
                    "is for the import job only; run --mode import --dry-run to see what the"
                            + " walk would do");
        }
        repairDelay = duration(AutoImportOptions.REPAIR_DELAY, c);
        if (repairDelay.isNegative()
                || repairDelay.isZero()
                || repairDelay.compareTo(RepairSchedule.DEFAULT_MAX_REPAIR_DELAY) > 0) {
            throw SettingsException.of(
                    AutoImportOptions.REPAIR_DELAY,
                    "must be positive and at most "
                            + RepairSchedule.DEFAULT_MAX_REPAIR_DELAY.toMinutes()
                            + " min, e.g. 30s");
        }
        checkpointInterval = duration(AutoImportOptions.CHECKPOINT_INTERVAL, c);
        if (checkpointInterval != null && checkpointInterval.toMillis() < 10) {
            throw SettingsException.of(
                    AutoImportOptions.CHECKPOINT_INTERVAL, "must be at least 10ms, e.g. 10s");
        }
        parallelism = integer(AutoImportOptions.PARALLELISM, c);
        if (parallelism == 0 || parallelism < -1) {
            throw SettingsException.of(
                    AutoImportOptions.PARALLELISM,
                    parallelism
                            + " is not accepted; use -1 (cluster default) or a positive number");
        }
        jobName =
                c.getOptional(AutoImportOptions.JOB_NAME)
                        .orElse(mode.value() + " " + container + " -> " + lustreRoot);
    }

    /**
     * Validates a configuration.
     *
     * @throws SettingsException naming the first wrong setting
     */
    public static JobSettings from(Configuration configuration) {
        return new JobSettings(configuration);
    }

    /** The same account and credential, pointed at the logging container. */
    public BlobStorageConfig loggingStorage() {
        return storage.withContainer(loggingContainer);
    }

    private interface Parser<T, R> {
        R parse(T raw);
    }

    private static <T, R> R parse(ConfigOption<T> option, Configuration c, Parser<T, R> parser) {
        try {
            return parser.parse(c.get(option));
        } catch (IllegalArgumentException e) {
            throw SettingsException.of(option, e.getMessage());
        }
    }

    /** The accepted forms of a duration, for messages. */
    static final String DURATION_FORMS =
            "a whole number and a unit, e.g. 10s, 500ms, 5 min, 1h (units: ms, s, min, h, d)";

    private static final Pattern DURATION = Pattern.compile("^\\d+\\s*\\p{L}+$");

    /** The value as given (flag, file or Flink configuration), or null when nobody set it. */
    private static String raw(ConfigOption<?> option, Configuration c) {
        return c.getOptional(ConfigOptions.key(option.key()).stringType().noDefaultValue())
                .map(String::trim)
                .orElse(null);
    }

    /**
     * A duration with its unit: a number alone is refused (Flink would read {@code 10} as 10 ms).
     * Null when unset and without a default.
     */
    static Duration duration(ConfigOption<Duration> option, Configuration c) {
        String value = raw(option, c);
        if (value == null) {
            return option.hasDefaultValue() ? option.defaultValue() : null;
        }
        if (value.matches("^[+-]?\\d+(\\.\\d*)?$")) {
            throw SettingsException.of(
                    option, "'" + value + "' has no unit; write " + DURATION_FORMS);
        }
        if (DURATION.matcher(value).matches()) {
            try {
                return TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                // an unknown unit: reported below
            }
        }
        throw SettingsException.of(
                option, "'" + value + "' is not a duration; write " + DURATION_FORMS);
    }

    /** {@code true} or {@code false} (in any case), nothing else. */
    static boolean bool(ConfigOption<Boolean> option, Configuration c) {
        String value = raw(option, c);
        if (value == null) {
            return option.defaultValue();
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw SettingsException.of(option, "'" + value + "' is not a boolean; write true or false");
    }

    static int integer(ConfigOption<Integer> option, Configuration c) {
        String value = raw(option, c);
        if (value == null) {
            return option.defaultValue();
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw SettingsException.of(option, "'" + value + "' is not a whole number");
        }
    }

    private static String required(ConfigOption<String> option, Configuration c, String example) {
        String value = c.get(option);
        if (value == null || value.isBlank()) {
            throw SettingsException.of(option, "required; e.g. --" + option.key() + " " + example);
        }
        return value.trim();
    }

    private static String containerName(ConfigOption<String> option, Configuration c) {
        String name = required(option, c, "data");
        if (!CONTAINER_NAME.matcher(name).matches()) {
            throw SettingsException.of(
                    option,
                    "'"
                            + name
                            + "' is not a valid container name; use 3-63 lowercase letters, digits and single hyphens");
        }
        return name;
    }

    private static BlobStorageConfig storageConfig(Configuration c, String container) {
        String connectionString = c.get(AutoImportOptions.STORAGE_CONNECTION_STRING);
        String sas = c.get(AutoImportOptions.STORAGE_SAS_TOKEN);
        String endpoint = c.get(AutoImportOptions.STORAGE_ENDPOINT);
        if (connectionString != null && sas != null) {
            throw SettingsException.of(
                    AutoImportOptions.STORAGE_SAS_TOKEN,
                    "set either storage.connection-string or storage.sas-token, not both");
        }
        if (connectionString != null) {
            try {
                return BlobStorageConfig.ofConnectionString(connectionString, container);
            } catch (IllegalArgumentException e) {
                // The message must not echo the secret.
                throw SettingsException.of(
                        AutoImportOptions.STORAGE_CONNECTION_STRING,
                        "not a valid connection string: " + e.getMessage());
            }
        }
        if (endpoint == null || endpoint.isBlank()) {
            throw SettingsException.of(
                    AutoImportOptions.STORAGE_ENDPOINT,
                    "required; e.g. --storage.endpoint https://account.blob.core.windows.net");
        }
        checkEndpoint(endpoint.trim());
        return sas != null
                ? BlobStorageConfig.ofSas(endpoint.trim(), sas, container)
                : BlobStorageConfig.ofDefaultCredential(endpoint.trim(), container);
    }

    private static void checkEndpoint(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw SettingsException.of(
                    AutoImportOptions.STORAGE_ENDPOINT, "'" + endpoint + "' is not a URL");
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getHost() == null) {
            throw SettingsException.of(
                    AutoImportOptions.STORAGE_ENDPOINT,
                    "'"
                            + endpoint
                            + "' is not an http(s) URL; e.g. https://account.blob.core.windows.net");
        }
    }

    private static String lustreRoot(Configuration c) {
        ConfigOption<String> option = AutoImportOptions.LUSTRE_ROOT;
        String raw = required(option, c, "/lustre/data");
        Path root = Paths.get(raw);
        if (!root.isAbsolute()) {
            throw SettingsException.of(
                    option, "'" + raw + "' is not absolute; give the full path of the mount");
        }
        if (!Files.isDirectory(root)) {
            throw SettingsException.of(
                    option,
                    "'"
                            + raw
                            + "' is not an existing directory; create it (or mount Lustre there) first");
        }
        if (!Files.isWritable(root)) {
            throw SettingsException.of(
                    option,
                    "'"
                            + raw
                            + "' is not writable by this user; fix its permissions or the job's user");
        }
        return root.normalize().toString();
    }
}
