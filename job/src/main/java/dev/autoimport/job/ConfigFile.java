package dev.autoimport.job;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads the settings file of {@code --config FILE}: YAML 1.2 read with snakeyaml-engine (the
 * library Flink reads its own {@code config.yaml} with), in the same shape. Nested maps and dotted
 * keys mean the same ({@code storage: {container: data}} is {@code storage.container: data}), a
 * list setting takes a YAML list, comments and quoting are YAML's. Every problem is one line naming
 * the file, the line and the key: an unknown key (nested or not), a key given twice, a list or a
 * map where one value belongs, a key without a value, a syntax error.
 */
final class ConfigFile {

    private ConfigFile() {}

    /**
     * @return the settings of the file by key: a String, or a list of Strings for a list setting
     */
    static Map<String, Object> read(Path file) {
        Optional<Node> root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings =
                    LoadSettings.builder()
                            .setLabel(file.toString())
                            .setSchema(new CoreSchema())
                            .build();
            root = new Compose(settings).composeReader(in);
        } catch (IOException e) {
            throw new SettingsException(
                    "setting config: cannot read '" + file + "': " + e.getMessage());
        } catch (MarkedYamlEngineException e) {
            throw new SettingsException(
                    "setting config: '"
                            + file
                            + "' is not valid YAML"
                            + at(e.getProblemMark())
                            + ": "
                            + oneLine(e.getProblem()));
        } catch (YamlEngineException e) {
            throw new SettingsException(
                    "setting config: '" + file + "' is not valid YAML: " + oneLine(e.getMessage()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        if (root.isEmpty() || isNull(root.get())) {
            return values;
        }
        if (!(root.get() instanceof MappingNode)) {
            throw problem(file, root.get(), "is not a map of settings (key: value lines)");
        }
        collect(file, "", (MappingNode) root.get(), values);
        return values;
    }

    private static void collect(
            Path file, String prefix, MappingNode map, Map<String, Object> out) {
        for (NodeTuple tuple : map.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode) || isNull(keyNode)) {
                throw problem(file, keyNode, "a key must be a plain name");
            }
            String key = prefix + ((ScalarNode) keyNode).getValue().strip();
            Node value = tuple.getValueNode();
            ConfigOption<?> option = AutoImportOptions.byKey(key);
            if (option == null) {
                if (value instanceof MappingNode && isPrefix(key)) {
                    collect(file, key + ".", (MappingNode) value, out);
                    continue;
                }
                throw problem(
                        file,
                        keyNode,
                        "unknown setting '"
                                + key
                                + "'; see --help for the settings this job accepts");
            }
            Object parsed = valueOf(file, option, value);
            if (out.put(key, parsed) != null) {
                throw problem(file, keyNode, "setting " + key + " is given twice");
            }
        }
    }

    /** Whether some setting's key starts with {@code prefix.}. */
    private static boolean isPrefix(String prefix) {
        return AutoImportOptions.ALL.stream().anyMatch(o -> o.key().startsWith(prefix + "."));
    }

    private static Object valueOf(Path file, ConfigOption<?> option, Node value) {
        String key = option.key();
        if (value instanceof ScalarNode) {
            if (isNull(value)) {
                throw problem(file, value, "setting " + key + " has no value");
            }
            return ((ScalarNode) value).getValue();
        }
        if (value instanceof SequenceNode && AutoImportOptions.LISTS.contains(option)) {
            List<String> items = new ArrayList<>();
            for (Node item : ((SequenceNode) value).getValue()) {
                if (!(item instanceof ScalarNode) || isNull(item)) {
                    throw problem(file, item, "setting " + key + ": each item must be one value");
                }
                items.add(((ScalarNode) item).getValue());
            }
            return items;
        }
        throw problem(
                file,
                value,
                "setting "
                        + key
                        + " takes one value, not a "
                        + (value instanceof SequenceNode ? "list" : "map"));
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static SettingsException problem(Path file, Node node, String what) {
        return new SettingsException(
                "setting config: '" + file + "'" + at(node.getStartMark()) + ": " + what);
    }

    private static String at(Optional<Mark> mark) {
        return mark.map(m -> " line " + (m.getLine() + 1)).orElse("");
    }

    private static String oneLine(String s) {
        return String.valueOf(s).replaceAll("\\s+", " ").strip();
    }
}
