package io.gannet.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a lab switch says about its sessions with the lab's hosts, asked the way an operator
 * asks it: FRR through {@code vtysh}, BIRD through {@code birdc}, a Gannet switch through its
 * control socket ({@code gannet show peers}).
 */
final class SwitchStatus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SwitchStatus() {}

    /** Fills {@code bgp} (neighbor address to session state) and {@code bfd} (neighbor address to BFD state). */
    static void read(LabState.Switch sw, Path labDir, Map<String, String> bgp, Map<String, String> bfd) {
        switch (sw.router()) {
            case "frr" -> {
                JsonNode sum = vtyshJson(sw, "show bgp ipv4 unicast summary json");
                sum.path("peers").fields().forEachRemaining(e -> bgp.put(e.getKey(), e.getValue().path("state").asText("?")));
                for (JsonNode b : vtyshJson(sw, "show bfd peers json")) {
                    bfd.put(b.path("peer").asText(), b.path("status").asText("?"));
                }
            }
            case "gannet" -> {
                String text = NetworkNamespace.Shell.runQuietly("python3", labDir.resolve("control.py").toString(), socket(sw).toString(), "/v1/peers");
                for (JsonNode p : parse(text).path("peers")) {
                    bgp.put(p.path("address").asText(), p.path("state").asText("?"));
                    bfd.put(p.path("address").asText(), p.path("bfdState").asText("no session"));
                }
            }
            default -> birdProtocols(sw, bgp, bfd);
        }
    }

    /** Where to look when a switch misbehaves. */
    static String log(LabState.Switch sw) {
        return switch (sw.router()) {
            case "frr" -> Path.of(sw.dir(), "bgpd.log").toString();
            case "gannet" -> Path.of(sw.dir(), "gannet.log").toString();
            default -> "birdc -s " + Path.of(sw.dir(), "bird.ctl") + " show protocols all";
        };
    }

    /** A Gannet switch's control socket. */
    static Path socket(LabState.Switch sw) {
        return Path.of(sw.dir(), "gannet.sock");
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text.isBlank() ? "{}" : text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static JsonNode vtyshJson(LabState.Switch sw, String command) {
        String text = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", sw.namespace(), "vtysh", "--vty_socket", sw.dir(), "-c", command);
        return parse(text);
    }

    /** {@code birdc show protocols all}: each BGP protocol's neighbor address, state, and BFD from its BFD protocol. */
    private static void birdProtocols(LabState.Switch sw, Map<String, String> bgp, Map<String, String> bfd) {
        String ctl = Path.of(sw.dir(), "bird.ctl").toString();
        String all = NetworkNamespace.Shell.runQuietly("birdc", "-s", ctl, "show", "protocols", "all");
        String current = null;
        String state = null;
        for (String line : all.split("\n")) {
            var head = Pattern.compile("^(\\S+)\\s+BGP\\s+\\S+\\s+\\S+\\s+\\S+\\s+(\\S+)").matcher(line);
            if (head.find()) {
                state = head.group(2);
                current = null;
                continue;
            }
            var nb = Pattern.compile("^\\s+Neighbor address:\\s+(\\S+)").matcher(line);
            if (nb.find() && state != null) {
                current = nb.group(1);
                bgp.put(current, state);
            }
        }
        String sessions = NetworkNamespace.Shell.runQuietly("birdc", "-s", ctl, "show", "bfd", "sessions");
        for (String line : sessions.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].matches("[0-9.]+")) {
                bfd.put(f[0], f[2]);
            }
        }
    }
}
