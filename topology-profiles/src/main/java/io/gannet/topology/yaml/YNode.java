package io.gannet.topology.yaml;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML value together with where it was written. The profile binder walks this tree
 * instead of Jackson's {@code JsonNode} because {@code JsonNode} forgets locations, and
 * every problem must be reported as {@code file:line:column}.
 */
public sealed interface YNode permits YNode.YMap, YNode.YList, YNode.YScalar {

    Location location();

    /** A short name of the YAML type for "expected X, got Y" messages. */
    String typeName();

    /** A mapping; keys keep file order. {@code keyLocations} point at the keys themselves. */
    record YMap(Location location, Map<String, YNode> entries, Map<String, Location> keyLocations) implements YNode {
        public YMap {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            keyLocations = Collections.unmodifiableMap(new LinkedHashMap<>(keyLocations));
        }

        public Optional<YNode> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        /** Where {@code key}'s value is, or where the map starts when the key is absent. */
        public Location locationOf(String key) {
            YNode v = entries.get(key);
            return v == null ? location : v.location();
        }

        @Override
        public String typeName() {
            return "a mapping";
        }
    }

    record YList(Location location, List<YNode> items) implements YNode {
        public YList {
            items = List.copyOf(items);
        }

        @Override
        public String typeName() {
            return "a list";
        }
    }

    /** The scalar kinds YAML's core schema resolves plain scalars to (quoted ones are strings). */
    enum ScalarKind { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

    record YScalar(Location location, ScalarKind kind, String text) implements YNode {
        @Override
        public String typeName() {
            return switch (kind) {
                case STRING -> "a string";
                case INTEGER -> "an integer";
                case FLOAT -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "null";
            };
        }
    }
}
