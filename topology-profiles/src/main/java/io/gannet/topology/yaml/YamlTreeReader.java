package io.gannet.topology.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gannet.topology.validate.Problems;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a {@link YNode} tree with locations, using Jackson's YAML
 * streaming parser (SnakeYAML underneath) — no hand-written YAML parsing. Syntax errors and
 * duplicate keys become problems; the reader never throws on bad content.
 */
public final class YamlTreeReader {
    /** Large enough for a 5,000-host inventory with room to spare, small enough to refuse garbage. */
    private static final int MAX_DOCUMENT_CODE_POINTS = 64 * 1024 * 1024;
    private static final int MAX_NESTING = 64;

    private final YAMLFactory factory;

    public YamlTreeReader() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_DOCUMENT_CODE_POINTS);
        options.setMaxAliasesForCollections(20);
        options.setAllowDuplicateKeys(true); // reported by us, with both locations
        factory = YAMLFactory.builder().loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                .build();
    }

    /** Parses {@code text}; returns empty (with a problem recorded) when nothing usable was read. */
    public Optional<YNode> read(String fileName, String text, Problems problems) {
        try (JsonParser p = factory.createParser(new StringReader(text))) {
            JsonToken first = p.nextToken();
            if (first == null) {
                problems.error(new Location(fileName, 1, 1), "the file is empty: expected a TopologyProfile document");
                return Optional.empty();
            }
            YNode root = readValue(p, fileName, problems);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                problems.error(location(fileName, p.currentTokenLocation()),
                        "a profile file holds exactly one YAML document; found another one here");
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            MarkedYAMLException marked = marked(e);
            if (marked != null) {
                syntaxError(fileName, marked, problems);
            } else {
                JsonLocation at = e.getLocation();
                problems.error(at == null ? new Location(fileName, 1, 1) : location(fileName, at),
                        "YAML syntax: " + firstLine(e.getOriginalMessage()));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports some scanner errors as unchecked exceptions; bad input must never crash.
            MarkedYAMLException marked = marked(e);
            if (marked != null) {
                syntaxError(fileName, marked, problems);
            } else {
                problems.error(new Location(fileName, 1, 1), "YAML syntax: " + firstLine(String.valueOf(e.getMessage())));
            }
            return Optional.empty();
        }
    }

    /** SnakeYAML's own error, wherever Jackson wrapped it: it has the problem, its mark and the context. */
    private static MarkedYAMLException marked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                return m;
            }
        }
        return null;
    }

    /**
     * The parser's full reason at the place it found the problem, with what it was parsing and
     * where that began: "8:3: YAML syntax: expected ',' or '}', but got <block mapping start>
     * (while parsing a flow mapping that starts at line 7, column 8)".
     */
    private static void syntaxError(String fileName, MarkedYAMLException m, Problems problems) {
        Mark at = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
        Location where = at == null ? new Location(fileName, 1, 1) : new Location(fileName, at.getLine() + 1, at.getColumn() + 1);
        String problem = m.getProblem() != null ? m.getProblem() : firstLine(m.getMessage());
        StringBuilder text = new StringBuilder("YAML syntax: ").append(problem.strip());
        if (m.getContext() != null) {
            text.append(" (").append(m.getContext().strip());
            Mark c = m.getContextMark();
            if (c != null && (at == null || c.getLine() != at.getLine() || c.getColumn() != at.getColumn())) {
                text.append(" that starts at line ").append(c.getLine() + 1).append(", column ").append(c.getColumn() + 1);
            }
            text.append(')');
        }
        problems.error(where, text.toString());
    }

    private YNode readValue(JsonParser p, String file, Problems problems) throws IOException {
        Location at = location(file, p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, YNode> entries = new LinkedHashMap<>();
                Map<String, Location> keys = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Location keyAt = location(file, p.currentTokenLocation());
                    p.nextToken();
                    YNode value = readValue(p, file, problems);
                    if (entries.containsKey(key)) {
                        problems.error(keyAt, "duplicate key '" + key + "' (first at line " + keys.get(key).line() + ")");
                        continue;
                    }
                    entries.put(key, value);
                    keys.put(key, keyAt);
                }
                return new YNode.YMap(at, entries, keys);
            }
            case START_ARRAY: {
                List<YNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(p, file, problems));
                }
                return new YNode.YList(at, items);
            }
            case VALUE_STRING:
                return new YNode.YScalar(at, YNode.ScalarKind.STRING, p.getText());
            case VALUE_NUMBER_INT:
                return new YNode.YScalar(at, YNode.ScalarKind.INTEGER, p.getText());
            case VALUE_NUMBER_FLOAT:
                return new YNode.YScalar(at, YNode.ScalarKind.FLOAT, p.getText());
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YNode.YScalar(at, YNode.ScalarKind.BOOLEAN, p.getText());
            case VALUE_NULL:
                return new YNode.YScalar(at, YNode.ScalarKind.NULL, "null");
            default:
                // Embedded binary (!!binary) and other exotic tokens carry no meaning in a profile.
                p.skipChildren();
                return new YNode.YScalar(at, YNode.ScalarKind.STRING, String.valueOf(p.getText()));
        }
    }

    private static Location location(String file, JsonLocation l) {
        return new Location(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable input";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
