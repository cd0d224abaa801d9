package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code gannet show policy}: per pod a header, then for ingress and for egress the selecting
 * policies and the entries; then
 * policies, external endpoints, other nodes' pods (those the filter names, and how many) and
 * files not applied.
 */
final class PolicyText {
    private PolicyText() {}

    static void render(JsonNode j, PrintWriter out) {
        JsonNode eps = j.path("endpoints");
        if (eps.isEmpty() && j.path("remotePodsMatching").isEmpty()) {
            out.println("(no pod wired by the CNI plugin matches)");
        }
        for (JsonNode e : eps) {
            String addresses = e.has("addresses") ? String.join(" ", strings(e.path("addresses"))) : e.path("address").asText();
            out.println("endpoint " + e.path("endpoint").asText() + "  " + addresses + "  identity "
                    + e.path("identity").asText() + "  labels " + e.path("labels").asText());
            out.println("  ingress: " + e.path("ingress").asText());
            if (e.path("enforced").asBoolean()) {
                out.println("  selected by: " + String.join(", ", strings(e.path("selectedBy"))));
                Table t = new Table("Verdict", "From", "Protocol", "Ports", "Rule");
                for (JsonNode r : e.path("entries")) {
                    t.row(List.of(r.path("verdict").asText(), r.path("from").asText(), r.path("protocol").asText(),
                            r.path("ports").asText(), r.path("rule").asText()));
                }
                t.print(out);
            }
            out.println("  egress: " + e.path("egress").asText());
            if (e.path("egressEnforced").asBoolean()) {
                out.println("  selected for egress by: " + String.join(", ", strings(e.path("egressSelectedBy"))));
                Table t = new Table("Verdict", "To", "Protocol", "Ports", "Rule");
                for (JsonNode r : e.path("egressEntries")) {
                    t.row(List.of(r.path("verdict").asText(), r.path("to").asText(), r.path("protocol").asText(),
                            r.path("ports").asText(), r.path("rule").asText()));
                }
                t.print(out);
            }
            if (e.path("enforced").asBoolean() || e.path("egressEnforced").asBoolean()) {
                out.println("  packets by rule: " + e.path("packetsByRule"));
            }
            out.println();
        }
        for (JsonNode p : j.path("policies")) {
            out.println("policy " + p.path("policy").asText() + " (" + p.path("origin").asText() + ") selects "
                    + p.path("selects").asText() + ", " + p.path("rules").asInt() + " rules");
            for (JsonNode u : p.path("unsupported")) {
                out.println("  not enforced: " + u.asText());
            }
        }
        for (JsonNode x : j.path("externalEndpoints")) {
            out.println("external endpoint " + x.path("endpoint").asText() + "  " + strings(x.path("cidrs")) + "  identity "
                    + x.path("identity").asText() + "  labels " + x.path("labels").asText() + "  (" + x.path("source").asText() + ")");
        }
        for (JsonNode p : j.path("externalEndpointProblems")) {
            out.println("external endpoint not applied: " + p.asText());
        }
        for (JsonNode r : j.path("remotePodsMatching")) {
            out.println("pod of node " + r.path("node").asText() + " " + r.path("endpoint").asText() + "  " + r.path("address").asText()
                    + "  identity " + r.path("identity").asText() + "  labels " + r.path("labels").asText());
        }
        if (j.has("remotePods")) {
            out.println("pods of other nodes known (cluster store): " + j.path("remotePods").asInt()
                    + (j.path("remotePods").asInt() > 0 ? " (name one, or its address, to see it)" : ""));
        }
        for (JsonNode p : j.path("remotePodProblems")) {
            out.println("pod of another node not applied: " + p.asText());
        }
        for (JsonNode f : j.path("filesNotApplied")) {
            out.println("file " + f.path("file").asText() + ": " + f.path("status").asText());
            for (JsonNode err : f.path("errors")) {
                out.println("  " + err.asText());
            }
        }
        if (j.has("hostTraffic")) {
            out.println("host: " + j.path("hostTraffic").asText());
        }
    }

    private static List<String> strings(JsonNode a) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
