package io.gannet.netpolicy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading one object's fields with their paths: errors (the object is refused) and
 * unsupported parts (the object applies, and the part is reported) in the user's terms,
 * "spec.ingress[0].from[1].ipBlock.cidr: 'x' is not an IP prefix". Not thread-safe.
 */
final class Fields {
    final List<String> errors = new ArrayList<>();
    final List<String> unsupported = new ArrayList<>();

    void error(String path, String what) {
        errors.add(path + ": " + what);
    }

    void unsupported(String path, String what) {
        unsupported.add(path + ": " + what);
    }

    /** Reports every field of {@code node} not in {@code known} as unknown (a typo is never silent). */
    void onlyKnown(JsonNode node, String path, Set<String> known) {
        if (node == null || !node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                unsupported(path + "." + f, "unknown field, ignored");
            }
        }
    }

    /** The elements of a list field; absent is empty, anything but a list is an error. */
    List<JsonNode> list(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        List<JsonNode> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            error(path + "." + field, "expected a list");
            return out;
        }
        n.forEach(out::add);
        return out;
    }

    String text(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isValueNode()) {
            error(path + "." + field, "expected a string");
            return null;
        }
        return n.asText();
    }

    /** A meta/v1 LabelSelector; null (with an error) when malformed. */
    LabelSelector selector(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return LabelSelector.ALL;
        }
        if (!n.isObject()) {
            error(path, "expected a label selector (matchLabels / matchExpressions)");
            return null;
        }
        onlyKnown(n, path, Set.of("matchLabels", "matchExpressions"));
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode ml = n.get("matchLabels");
        if (ml != null && !ml.isNull()) {
            if (!ml.isObject()) {
                error(path + ".matchLabels", "expected a map of label -> value");
                return null;
            }
            ml.fields().forEachRemaining(e -> {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    error(path + ".matchLabels." + e.getKey(), "expected a string value");
                } else {
                    labels.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        List<JsonNode> exprs = list(n, "matchExpressions", path);
        for (int i = 0; i < exprs.size(); i++) {
            String p = path + ".matchExpressions[" + i + "]";
            JsonNode e = exprs.get(i);
            onlyKnown(e, p, Set.of("key", "operator", "values"));
            String key = text(e, "key", p);
            String op = text(e, "operator", p);
            Set<String> values = new LinkedHashSet<>();
            for (JsonNode v : list(e, "values", p)) {
                values.add(v.asText());
            }
            if (key == null || key.isBlank()) {
                error(p + ".key", "required");
                continue;
            }
            LabelSelector.Operator operator = switch (op == null ? "" : op) {
                case "In" -> LabelSelector.Operator.IN;
                case "NotIn" -> LabelSelector.Operator.NOT_IN;
                case "Exists" -> LabelSelector.Operator.EXISTS;
                case "DoesNotExist" -> LabelSelector.Operator.DOES_NOT_EXIST;
                default -> null;
            };
            if (operator == null) {
                error(p + ".operator", "'" + op + "' is not In, NotIn, Exists or DoesNotExist");
                continue;
            }
            boolean needsValues = operator == LabelSelector.Operator.IN || operator == LabelSelector.Operator.NOT_IN;
            if (needsValues == values.isEmpty()) {
                error(p + ".values", needsValues ? "In and NotIn need at least one value" : "Exists and DoesNotExist take no values");
                continue;
            }
            reqs.add(new LabelSelector.Requirement(key, operator, values));
        }
        return new LabelSelector(labels, reqs);
    }

    Cidr cidr(String text, String path) {
        if (text == null) {
            error(path, "required");
            return null;
        }
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return null;
        }
    }
}
