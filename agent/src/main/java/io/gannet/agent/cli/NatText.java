package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code gannet show nat}: masquerade's devices and occupancy, then one line per live translation. */
final class NatText {
    private NatText() {}

    static void render(JsonNode j, PrintWriter out) {
        if (!j.path("enabled").asBoolean()) {
            out.println(j.path("why").asText("masquerade is off"));
            return;
        }
        if (j.has("pool")) {
            family(out, "", j);
        }
        JsonNode v6 = j.path("ipv6");
        if (v6.path("enabled").asBoolean()) {
            family(out, "IPv6 ", v6);
        } else if (v6.has("why")) {
            out.println("IPv6: " + v6.path("why").asText());
        }
        StringBuilder tries = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = j.path("portTries").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tries.append(tries.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue().asLong());
        }
        out.println("new flows by random ports tried: " + tries);
        Table t = new Table("Proto", "Pod", "Node", "Destination", "Port kept", "Expires in");
        for (JsonNode r : j.path("translations")) {
            t.row(List.of(r.path("protocol").asText(), r.path("pod").asText(), r.path("node").asText(),
                    r.path("destination").asText(), r.path("portKept").asBoolean() ? "yes" : "no", r.path("expiresIn").asText()));
        }
        if (j.path("translations").isEmpty()) {
            out.println("(no live translation)");
        } else {
            t.print(out);
        }
    }

    /** One family's devices and table occupancy. */
    private static void family(PrintWriter out, String family, JsonNode j) {
        StringBuilder devices = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = j.path("devices").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            devices.append(devices.length() == 0 ? "" : ", ").append(e.getKey()).append(" -> ").append(e.getValue().asText());
        }
        JsonNode o = j.path("occupancy");
        out.println(family + "masquerade: pods of " + j.path("pool").asText() + " leave as " + devices);
        out.printf("%stable: %d flows, %d of %d entries (%.1f%%); busiest destination %s: %d flows, %d of the random ports %s%n",
                family, o.path("flows").asInt(), o.path("tableEntries").asInt(), o.path("tableCapacity").asInt(),
                o.path("tableFill").asDouble() * 100, o.path("busiestDestination").asText(), o.path("busiestDestinationFlows").asInt(),
                o.path("busiestDestinationRandomPorts").asInt(), o.path("randomPortRange").asText());
    }
}
