package io.gannet.netpolicy.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Labels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A workload outside the cluster (a VM, a bare-metal host) that policy can name by labels:
 * its IPv4 addresses or prefixes and its labels, in a namespace. Its label set, as policy
 * sees it, is its labels plus {@link Labels#NAMESPACE} (as Cilium gives external workloads a
 * namespace), so a namespaced CiliumNetworkPolicy's {@code fromEndpoints} or a NetworkPolicy's
 * {@code podSelector} in that namespace selects it like a pod.
 *
 * <p>The same shape is read from three places: the watched directory's YAML
 * ({@code kind: ExternalEndpoint}), the control API's JSON body, and the cluster store's value
 * ({@link #toJson}, with {@code source}: who registered it).
 *
 * @param source "api" or "file PATH on NODE": who owns the entry (only its owner changes it)
 */
public record ExternalEndpoint(String namespace, String name, List<Cidr> cidrs, Map<String, String> labels, String source) {
    public static final String API_VERSION = "gannet.io/v1alpha1";
    public static final String KIND = "ExternalEndpoint";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern LABEL_KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    public ExternalEndpoint {
        cidrs = List.copyOf(cidrs);
        labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** "namespace/name". */
    public String key() {
        return namespace + "/" + name;
    }

    /** The label set policy selects on (and its identity is allocated for). */
    public Labels labelSet() {
        TreeMap<String, String> all = new TreeMap<>(labels);
        all.put(Labels.NAMESPACE, namespace);
        return new Labels(all);
    }

    /** The same endpoint apart from who registered it. */
    public boolean sameAs(ExternalEndpoint o) {
        return o != null && o.namespace.equals(namespace) && o.name.equals(name) && o.cidrs.equals(cidrs) && o.labels.equals(labels);
    }

    public ExternalEndpoint withSource(String s) {
        return new ExternalEndpoint(namespace, name, cidrs, labels, s);
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("namespace", namespace);
        n.put("name", name);
        cidrs.forEach(c -> n.withArray("cidrs").add(c.toString()));
        ObjectNode l = n.putObject("labels");
        labels.forEach(l::put);
        n.put("source", source);
        return n.toString();
    }

    /** What {@link #check} found: the endpoint, or the errors that refuse it (each "field: what"). */
    public record Checked(ExternalEndpoint endpoint, List<String> errors) {}

    /** Checks name, namespace, labels and CIDRs; {@code cidrs} are texts as the user wrote them. */
    public static Checked check(String namespace, String name, List<String> cidrs, Map<String, String> labels, String source) {
        List<String> errors = new ArrayList<>();
        String ns = namespace == null || namespace.isEmpty() ? "default" : namespace;
        if (name == null || name.isEmpty()) {
            errors.add("name: required");
        } else if (!NAME.matcher(name).matches()) {
            errors.add("name: '" + name + "' must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        }
        if (!NAME.matcher(ns).matches()) {
            errors.add("namespace: '" + ns + "' must be lower-case letters, digits, '-' and '.'");
        }
        List<Cidr> parsed = new ArrayList<>();
        if (cidrs == null || cidrs.isEmpty()) {
            errors.add("cidrs: at least one address or prefix is required");
        } else {
            for (int i = 0; i < cidrs.size(); i++) {
                String t = cidrs.get(i);
                try {
                    Cidr c = Cidr.parse(t == null ? "" : t);
                    if (c.prefixLength() == 0) {
                        errors.add("cidrs[" + i + "]: '" + t + "' is the whole address space; name it in policy with fromEntities: [world]");
                    } else if (t.contains("/") && hostBitsSet(t, c)) {
                        errors.add("cidrs[" + i + "]: '" + t + "' has host bits set; did you mean " + c + "?");
                    } else if (parsed.stream().anyMatch(p -> p.contains(c) || c.contains(p))) {
                        errors.add("cidrs[" + i + "]: '" + t + "' overlaps another prefix of this endpoint");
                    } else {
                        parsed.add(c);
                    }
                } catch (IllegalArgumentException e) {
                    errors.add("cidrs[" + i + "]: " + e.getMessage());
                }
            }
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (l.isEmpty()) {
            errors.add("labels: at least one label is required (policy selects external endpoints by label)");
        }
        for (Map.Entry<String, String> e : new TreeMap<>(l).entrySet()) {
            if (!LABEL_KEY.matcher(e.getKey()).matches()) {
                errors.add("labels: '" + e.getKey() + "' is not a valid label key");
            } else if (e.getKey().equals(Labels.NAMESPACE) || e.getKey().startsWith(Labels.NAMESPACE_LABEL_PREFIX)) {
                errors.add("labels: '" + e.getKey() + "' is set by Gannet (use namespace)");
            }
            if (e.getValue() == null || !LABEL_VALUE.matcher(e.getValue()).matches()) {
                errors.add("labels." + e.getKey() + ": '" + e.getValue() + "' is not a valid label value (63 characters: letters, digits, '-', '_', '.')");
            }
        }
        return errors.isEmpty() ? new Checked(new ExternalEndpoint(ns, name, parsed, l, source), List.of())
                : new Checked(null, List.copyOf(errors));
    }

    /**
     * Reads an {@code ExternalEndpoint} object as written in a YAML file:
     * <pre>
     * apiVersion: gannet.io/v1alpha1
     * kind: ExternalEndpoint
     * metadata: {name: billing-vm, namespace: default, labels: {app: employee}}
     * spec: {cidrs: [192.0.2.10/32]}
     * </pre>
     * Every field besides these is an error (an unknown field is never ignored in silence).
     */
    public static Checked fromObject(JsonNode doc, String source) {
        List<String> errors = new ArrayList<>();
        unknown(doc, "", Set.of("apiVersion", "kind", "metadata", "spec"), errors);
        if (!API_VERSION.equals(doc.path("apiVersion").asText())) {
            errors.add("apiVersion: '" + doc.path("apiVersion").asText() + "': ExternalEndpoint is " + API_VERSION);
        }
        JsonNode meta = doc.path("metadata");
        unknown(meta, "metadata.", Set.of("name", "namespace", "labels"), errors);
        JsonNode spec = doc.path("spec");
        unknown(spec, "spec.", Set.of("cidrs"), errors);
        Map<String, String> labels = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                errors.add("metadata.labels." + e.getKey() + ": a label value is a string");
            } else {
                labels.put(e.getKey(), e.getValue().asText());
            }
        }
        List<String> cidrs = new ArrayList<>();
        JsonNode c = spec.path("cidrs");
        if (!c.isMissingNode() && !c.isArray()) {
            errors.add("spec.cidrs: expected a list");
        }
        c.forEach(x -> cidrs.add(x.asText()));
        Checked checked = check(meta.path("namespace").asText(""), meta.path("name").asText(""), cidrs, labels, source);
        for (String e : checked.errors()) {
            errors.add(e.startsWith("cidrs") ? "spec." + e : "metadata." + e);
        }
        return errors.isEmpty() ? checked : new Checked(null, List.copyOf(errors));
    }

    /** Reads a value Gannet wrote to the store. */
    public static Checked fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            Map<String, String> labels = new TreeMap<>();
            n.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            List<String> cidrs = new ArrayList<>();
            n.path("cidrs").forEach(x -> cidrs.add(x.asText()));
            return check(n.path("namespace").asText(""), n.path("name").asText(""), cidrs, labels, n.path("source").asText("api"));
        } catch (java.io.IOException e) {
            return new Checked(null, List.of("not JSON: " + e.getMessage()));
        }
    }

    private static void unknown(JsonNode n, String path, Set<String> known, List<String> errors) {
        if (n == null || !n.isObject()) {
            return;
        }
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                errors.add(path + f + ": unknown field (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        });
    }

    /** True if the text's address has bits beyond its prefix length ({@code c} is the text parsed, host bits cleared). */
    private static boolean hostBitsSet(String text, Cidr c) {
        String t = text.trim();
        Cidr whole = Cidr.parse(t.substring(0, t.indexOf('/')));
        return !java.util.Arrays.equals(whole.address(), c.address());
    }
}
