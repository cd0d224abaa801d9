package io.gannet.netpolicy.k8s;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads policy objects from YAML files as kubectl writes them: one or many documents, or a
 * {@code kind: List}. NetworkPolicy (networking.k8s.io/v1) and CiliumNetworkPolicy
 * (cilium.io/v2) are policies; other kinds are left to their own readers and not reported here.
 * A file that is not YAML yields one error at {@code file:line:column} with the parser's reason.
 */
public final class PolicyFiles {
    /** Files larger than this are refused rather than read into memory. */
    public static final long MAX_FILE_BYTES = 8L << 20;
    private static final ObjectMapper YAML = new YAMLMapper();

    private PolicyFiles() {}

    /** What one file holds: its policy objects, and file-level errors (then objects is empty). */
    public record Read(List<PolicyObject> objects, List<String> errors) {}

    public static Read read(Path file) {
        List<PolicyObject> objects = new ArrayList<>();
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return new Read(List.of(), List.of(file + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB, not read"));
            }
            try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
                p.setCodec(YAML);
                while (p.nextToken() != null) {
                    int line = p.currentTokenLocation().getLineNr();
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        if (p.currentToken() == JsonToken.VALUE_NULL) {
                            continue; // an empty document between "---" lines
                        }
                        return new Read(List.of(), List.of(file + ":" + line + ": expected a Kubernetes object"));
                    }
                    JsonNode doc = p.readValueAsTree();
                    collect(doc, file + ":" + line, objects);
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? file.toString() : file + ":" + l.getLineNr() + ":" + l.getColumnNr();
            return new Read(List.of(), List.of(where + ": " + e.getOriginalMessage().replace('\n', ' ')));
        } catch (IOException e) {
            return new Read(List.of(), List.of(file + ": cannot read: " + e.getMessage()));
        }
        return new Read(objects, List.of());
    }

    /** Parses one object (or the items of a List) into policy objects. */
    public static void collect(JsonNode doc, String origin, List<PolicyObject> out) {
        String kind = doc.path("kind").asText();
        if (kind.equals("List") || kind.endsWith("List") && doc.has("items")) {
            JsonNode items = doc.path("items");
            for (int i = 0; i < items.size(); i++) {
                collect(items.get(i), origin + " items[" + i + "]", out);
            }
            return;
        }
        String api = doc.path("apiVersion").asText();
        boolean np = kind.equals("NetworkPolicy");
        boolean cnp = kind.equals("CiliumNetworkPolicy") || kind.equals("CiliumClusterwideNetworkPolicy");
        if (!np && !cnp) {
            return;
        }
        String name = doc.path("metadata").path("name").asText("");
        String namespace = kind.equals("CiliumClusterwideNetworkPolicy") ? null
                : doc.path("metadata").path("namespace").asText("default");
        Fields f = new Fields();
        if (np && !api.equals("networking.k8s.io/v1")) {
            f.error("apiVersion", "'" + api + "': NetworkPolicy is networking.k8s.io/v1");
        }
        if (cnp && !api.equals("cilium.io/v2")) {
            f.error("apiVersion", "'" + api + "': " + kind + " is cilium.io/v2");
        }
        if (name.isBlank()) {
            f.error("metadata.name", "required");
        }
        var policy = f.errors.isEmpty()
                ? (np ? NetworkPolicyParser.parse(doc, namespace, name, origin, f) : CiliumPolicyParser.parse(doc, namespace, name, origin, f))
                : null;
        out.add(new PolicyObject(kind, namespace, name, origin, f.errors.isEmpty() ? policy : null, f.errors));
    }
}
