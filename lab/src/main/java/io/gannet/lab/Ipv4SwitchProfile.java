package io.gannet.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * A Gannet switch's rendered profile ({@code profile render --switch --format gannet}) cut to
 * IPv4 for the lab, which builds IPv4 fabrics: the switch speaks from its IPv4 address only (it
 * has no IPv6 one in the lab, and a daemon cannot listen on an address it lacks), and the hosts
 * it serves keep their IPv4 addresses; a host with none is left out, as the lab leaves it out.
 */
final class Ipv4SwitchProfile {
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());

    private Ipv4SwitchProfile() {}

    static String of(String rendered) {
        try {
            JsonNode root = YAML.readTree(rendered);
            JsonNode inv = root.path("spec").path("inventory");
            java.util.List<String> leftOut = new java.util.ArrayList<>();
            for (JsonNode host : inv.path("hosts")) {
                JsonNode a = host.path("address");
                if (a.isArray()) {
                    ((ObjectNode) host).put("address", firstIpv4(a));
                }
            }
            for (Iterator<JsonNode> it = inv.path("switches").elements(); it.hasNext(); ) {
                JsonNode sw = it.next();
                ArrayNode addresses = (ArrayNode) sw.path("addresses");
                for (int i = addresses.size() - 1; i >= 0; i--) {
                    if (addresses.get(i).asText().contains(":")) {
                        addresses.remove(i);
                    }
                }
                if (addresses.isEmpty()) {
                    leftOut.add(sw.path("name").asText());
                    it.remove();
                }
            }
            StringBuilder header = new StringBuilder();
            for (String line : rendered.lines().toList()) {
                if (!line.startsWith("#")) {
                    break;
                }
                header.append(line).append('\n'); // the renderer's own comments (what it generated, notes)
            }
            return header + "# the lab's IPv4 cut of the switch's rendered profile\n"
                    + (leftOut.isEmpty() ? "" : "# left out (no IPv4 address; the lab builds IPv4 fabrics): " + String.join(", ", leftOut) + "\n")
                    + YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstIpv4(JsonNode addresses) {
        for (JsonNode a : addresses) {
            if (!a.asText().contains(":")) {
                return a.asText();
            }
        }
        return addresses.get(0).asText();
    }
}
