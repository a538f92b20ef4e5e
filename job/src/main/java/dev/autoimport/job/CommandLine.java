package dev.autoimport.job;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;

/**
 * Turns the job's arguments into a {@link Configuration} of its settings. A setting may come from
 * four places; the first that has it wins:
 *
 * <ol>
 *   <li>a flag, {@code --key value} or {@code --key=value};
 *   <li>the file of {@code --config FILE}: YAML as in Flink's own {@code config.yaml}, nested keys
 *       ({@code storage: {container: data}}) or dotted ones ({@code storage.container: data}),
 *       lists as YAML lists ({@link ConfigFile});
 *   <li>the Flink configuration the job is submitted with: {@code -D key=value} on {@code flink
 *       run}, {@code flinkConfiguration} of a {@code FlinkDeployment}, the cluster's {@code
 *       config.yaml};
 *   <li>the defaults of {@link AutoImportOptions}.
 * </ol>
 *
 * An unknown key in a flag or in the file is an error, so a typo never silently falls back to a
 * default. The Flink configuration holds Flink's own keys too; only the job's keys are read from
 * it.
 */
public final class CommandLine {

    /** The parsed arguments. */
    public static final class Parsed {
        public final Configuration configuration;
        public final boolean help;
        public final boolean version;
        public final boolean local;
        public final int webUiPort;

        Parsed(
                Configuration configuration,
                boolean help,
                boolean version,
                boolean local,
                int webUiPort) {
            this.configuration = configuration;
            this.help = help;
            this.version = version;
            this.local = local;
            this.webUiPort = webUiPort;
        }
    }

    private CommandLine() {}

    /** Parses the arguments over the Flink configuration of the current execution environment. */
    public static Parsed parse(String[] args) {
        return parse(args, StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration());
    }

    /**
     * @param flink the Flink configuration the job is submitted with; its values of the job's keys
     *     are used where neither a flag nor the config file sets them
     */
    public static Parsed parse(String[] args, ReadableConfig flink) {
        Map<String, Object> flags = new LinkedHashMap<>();
        Map<String, Object> file = Map.of();
        boolean help = false;
        boolean version = false;
        boolean local = false;
        int webUiPort = 8081;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (arg.equals("--version")) {
                version = true;
                continue;
            }
            if (arg.equals("--local")) {
                local = true;
                continue;
            }
            if (arg.equals("--" + AutoImportOptions.DRY_RUN.key())
                    && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                // As rclone's and azcopy's: a bare flag.
                flags.put(AutoImportOptions.DRY_RUN.key(), "true");
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new SettingsException(
                        "unexpected argument '" + arg + "'; settings are given as --key value");
            }
            String key;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                key = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new SettingsException("setting " + key + ": a value is missing");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                file = ConfigFile.read(java.nio.file.Paths.get(value));
            } else if (key.equals("web-ui-port")) {
                webUiPort = parsePort(value);
            } else {
                flags.put(optionFor(key).key(), value);
            }
        }
        Map<String, Object> values = new LinkedHashMap<>(fromFlink(flink));
        values.putAll(file);
        values.putAll(flags);
        Configuration configuration = new Configuration();
        values.forEach((key, value) -> put(configuration, key, value));
        return new Parsed(configuration, help, version, local, webUiPort);
    }

    /** The job's keys the Flink configuration sets, as strings or lists of strings. */
    private static Map<String, Object> fromFlink(ReadableConfig flink) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigOption<?> option : AutoImportOptions.ALL) {
            if (AutoImportOptions.LISTS.contains(option)) {
                flink.getOptional(
                                ConfigOptions.key(option.key())
                                        .stringType()
                                        .asList()
                                        .noDefaultValue())
                        .ifPresent(list -> values.put(option.key(), list));
            } else {
                flink.getOptional(ConfigOptions.key(option.key()).stringType().noDefaultValue())
                        .ifPresent(value -> values.put(option.key(), value));
            }
        }
        return values;
    }

    private static void put(Configuration configuration, String key, Object value) {
        if (value instanceof List) {
            List<String> items = castList(value);
            configuration.set(ConfigOptions.key(key).stringType().asList().noDefaultValue(), items);
        } else {
            configuration.setString(key, (String) value);
        }
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new SettingsException("setting web-ui-port: '" + value + "' is not a port number");
    }

    /** The option of a key, or a one-line error for an unknown one. */
    static ConfigOption<?> optionFor(String key) {
        ConfigOption<?> option = AutoImportOptions.byKey(key);
        if (option == null) {
            throw new SettingsException(
                    "unknown setting '" + key + "'; see --help for the settings this job accepts");
        }
        return option;
    }

    /** The text of {@code --version}: the build's version. */
    public static String versionText() {
        return "auto-import " + AutoImportVersion.current() + "\n";
    }

    /** The --help text: usage, then every setting with its default and meaning. */
    public static String helpText() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: flink run auto-import-job.jar [--config FILE] [--key value ...]\n")
                .append("       java -cp ... dev.autoimport.job.AutoImportJob --local [...]\n\n")
                .append("Mirrors an Azure Blob Storage container into a Lustre directory.\n\n")
                .append("  --help               this text\n")
                .append("  --version            the version of this build\n")
                .append(
                        "  --config FILE        read settings from FILE (YAML, as Flink's config.yaml)\n")
                .append("  --local              run in an embedded Flink with the web UI\n")
                .append("  --web-ui-port PORT   web UI port of --local (default 8081)\n\n")
                .append("A setting comes from a flag, else the --config file, else the Flink\n")
                .append("configuration (-D key=value on flink run, flinkConfiguration), else its\n")
                .append("default. Durations take a unit (10s, 500ms, 5 min, 1h); booleans are\n")
                .append("true or false; lists are separated by ';' in a flag.\n\n")
                .append("Settings:\n");
        for (ConfigOption<?> option : AutoImportOptions.ALL) {
            sb.append("  --").append(option.key());
            if (option.hasDefaultValue()) {
                sb.append(" (default: ").append(format(option.defaultValue())).append(")");
            }
            sb.append("\n      ").append(descriptionOf(option)).append("\n");
        }
        return sb.toString();
    }

    /** A value as a user writes it: {@code 1s}, not {@code PT1S}; a list joined with ';'. */
    static String format(Object value) {
        if (value instanceof Duration) {
            return TimeUtils.formatWithHighestUnit((Duration) value).replace(" ", "");
        }
        if (value instanceof List) {
            return String.join(";", castList(value));
        }
        return String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    /** The plain text of an option's description. */
    static String descriptionOf(ConfigOption<?> option) {
        return new org.apache.flink.configuration.description.HtmlFormatter()
                .format(option.description())
                .replace("&#39;", "'")
                .replace("&gt;", ">")
                .replace("&lt;", "<");
    }
}
