package io.gannet.agent.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.linux.NetworkNamespace;

/**
 * The dual-stack rack of the daemon tests: a leaf namespace whose bridge has {@code NET4.254/24}
 * and {@code NET6::fe/64}, and each node's {@code eth0} on it with {@code NET4.(i+1)} and
 * {@code NET6::(i+1)}, default routes of both families to the leaf (as on a real rack), IPv6
 * addresses without duplicate address detection. Veth names unique per run.
 */
final class DualStackRack {
    private DualStackRack() {}

    /** Wires {@code nodes} to {@code leaf}; {@code net4} like "10.205.0", {@code net6} like "fd00:205". */
    static void wire(NetworkNamespace leaf, String net4, String net6, NetworkNamespace... nodes) {
        leaf.exec("ip", "link", "add", "br0", "type", "bridge");
        leaf.exec("ip", "addr", "add", net4 + ".254/24", "dev", "br0");
        leaf.exec("ip", "addr", "add", net6 + "::fe/64", "dev", "br0", "nodad");
        leaf.exec("ip", "link", "set", "br0", "up");
        leaf.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        leaf.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        for (int i = 0; i < nodes.length; i++) {
            String[] parts = leaf.name().split("-"); // gt-PREFIX-PID
            String port = (parts.length > 1 ? parts[1] : "ds") + ProcessHandle.current().pid() % 100000 + "p" + (i + 1);
            NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", nodes[i].name(), "type", "veth",
                    "peer", "name", port, "netns", leaf.name());
            leaf.exec("ip", "link", "set", port, "master", "br0");
            leaf.exec("ip", "link", "set", port, "up");
            nodes[i].exec("ip", "addr", "add", net4 + "." + (i + 1) + "/24", "dev", "eth0");
            nodes[i].exec("ip", "addr", "add", net6 + "::" + (i + 1) + "/64", "dev", "eth0", "nodad");
            nodes[i].exec("ip", "link", "set", "eth0", "up");
            nodes[i].exec("ip", "route", "add", "default", "via", net4 + ".254");
            nodes[i].exec("ip", "-6", "route", "add", "default", "via", net6 + "::fe");
        }
    }

    /** A CNI result's address starting with {@code prefix}, without its length. */
    static String ip(JsonNode result, String prefix) {
        for (JsonNode ip : result.path("ips")) {
            String address = ip.path("address").asText().replaceAll("/.*", "");
            if (address.startsWith(prefix)) {
                return address;
            }
        }
        throw new AssertionError("no address in " + prefix + "* in " + result);
    }
}
