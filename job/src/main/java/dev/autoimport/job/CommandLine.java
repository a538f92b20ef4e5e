package dev.autoimport.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Turns the job's arguments into a {@link Configuration}: {@code --config FILE} (flat {@code key:
 * value} lines, as in Flink's config.yaml) first, then {@code --key value} or {@code --key=value}
 * flags, which win. Unknown keys are errors, so a typo never silently falls back to a default.
 */
public final class CommandLine {

    /** The parsed arguments. */
    public static final class Parsed {
        public final Configuration configuration;
        public final boolean help;
        public final boolean local;
        public final int webUiPort;

        Parsed(Configuration configuration, boolean help, boolean local, int webUiPort) {
            this.configuration = configuration;
            this.help = help;
            this.local = local;
            this.webUiPort = webUiPort;
        }
    }

    private CommandLine() {}

    public static Parsed parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean help = false;
        boolean local = false;
        int webUiPort = 8081;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (arg.equals("--local")) {
                local = true;
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
                values.putAll(readFile(Paths.get(value)));
            } else if (key.equals("web-ui-port")) {
                webUiPort = parsePort(value);
            } else {
                values.put(key, value);
            }
        }
        Configuration configuration = new Configuration();
        for (Map.Entry<String, String> e : values.entrySet()) {
            ConfigOption<?> option = optionFor(e.getKey());
            configuration.setString(option.key(), e.getValue());
        }
        return new Parsed(configuration, help, local, webUiPort);
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

    private static ConfigOption<?> optionFor(String key) {
        for (ConfigOption<?> option : AutoImportOptions.ALL) {
            if (option.key().equals(key)) {
                return option;
            }
        }
        throw new SettingsException(
                "unknown setting '" + key + "'; see --help for the settings this job accepts");
    }

    static Map<String, String> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new SettingsException(
                    "setting config: cannot read '" + file + "': " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int colon = t.indexOf(':');
            if (colon <= 0) {
                throw new SettingsException(
                        "setting config: line " + n + " of '" + file + "' is not 'key: value'");
            }
            String value = t.substring(colon + 1).strip();
            if (value.length() >= 2
                    && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(t.substring(0, colon).strip(), value);
        }
        return values;
    }

    /** The --help text: usage, then every setting with its default and meaning. */
    public static String helpText() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: flink run auto-import-job.jar [--config FILE] [--key value ...]\n")
                .append("       java -cp ... dev.autoimport.job.AutoImportJob --local [...]\n\n")
                .append("Mirrors an Azure Blob Storage container into a Lustre directory.\n\n")
                .append("  --help               this text\n")
                .append("  --config FILE        read settings from FILE (key: value lines)\n")
                .append("  --local              run in an embedded Flink with the web UI\n")
                .append("  --web-ui-port PORT   web UI port of --local (default 8081)\n\n")
                .append("Settings:\n");
        for (ConfigOption<?> option : AutoImportOptions.ALL) {
            sb.append("  --").append(option.key());
            if (option.hasDefaultValue()) {
                Object d = option.defaultValue();
                sb.append(" (default: ")
                        .append(d instanceof List ? String.join(";", castList(d)) : d)
                        .append(")");
            }
            sb.append("\n      ").append(descriptionOf(option)).append("\n");
        }
        return sb.toString();
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
