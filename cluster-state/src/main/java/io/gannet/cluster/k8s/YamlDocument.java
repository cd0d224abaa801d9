package io.gannet.cluster.k8s;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One YAML document as a Jackson tree plus the line and column of every key and list
 * element, so an error about {@code spec.ports[1].port} can name {@code file:12:11}.
 * The tree is built from Jackson's YAML token stream in one pass (Jackson's own tree
 * reader keeps no locations); no YAML is parsed by hand.
 */
public record YamlDocument(JsonNode root, Map<String, JsonLocation> locations) {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Every document of a (multi-document) YAML file, in order. */
    public static List<YamlDocument> readAll(YAMLFactory factory, Path file) throws IOException {
        List<YamlDocument> docs = new ArrayList<>();
        try (JsonParser p = factory.createParser(file.toFile())) {
            while (p.nextToken() != null) {
                Map<String, JsonLocation> locs = new HashMap<>();
                JsonNode root = read(p, "", locs);
                docs.add(new YamlDocument(root, Map.copyOf(locs)));
            }
        }
        return docs;
    }

    private static JsonNode read(JsonParser p, String ptr, Map<String, JsonLocation> locs) throws IOException {
        JsonToken t = p.currentToken();
        locs.putIfAbsent(ptr, p.currentTokenLocation());
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = ptr + "/" + name.replace("~", "~0").replace("/", "~1");
                    locs.put(child, p.currentTokenLocation());
                    p.nextToken();
                    o.set(name, read(p, child, locs));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(read(p, ptr + "/" + i++, locs));
                }
                return a;
            }
            case VALUE_STRING -> {
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return NODES.numberNode(p.getDecimalValue());
            }
            case VALUE_TRUE -> {
                return NODES.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return NODES.booleanNode(false);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            default -> {
                return NODES.textNode(p.getText());
            }
        }
    }

    /**
     * Where the field at {@code pointer} (or its nearest enclosing field that exists) is,
     * as {@code line:column}, or null when the document has no location for it.
     */
    public String locate(String pointer) {
        String ptr = pointer;
        while (true) {
            JsonLocation l = locations.get(ptr);
            if (l != null && l.getLineNr() > 0) {
                return l.getLineNr() + ":" + l.getColumnNr();
            }
            if (ptr.isEmpty()) {
                return null;
            }
            int slash = ptr.lastIndexOf('/');
            ptr = slash <= 0 ? "" : ptr.substring(0, slash);
        }
    }

    /** This document's subtree at {@code prefix} as a document of its own ({@code kind: List} items). */
    public YamlDocument sub(String prefix, JsonNode node) {
        Map<String, JsonLocation> m = new HashMap<>();
        for (Map.Entry<String, JsonLocation> e : locations.entrySet()) {
            if (e.getKey().equals(prefix) || e.getKey().startsWith(prefix + "/")) {
                m.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return new YamlDocument(node, Map.copyOf(m));
    }
}
