package io.gannet.agent.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.linux.NetworkNamespace;

/**
 * The dual-stack rack of the daemon tests, made on a {@link Testbed}: a leaf (the bed's LAN) whose
 * bridge has {@code NET4.254/24} and {@code NET6::fe/64} and forwards both families, and a host per
 * node whose {@code eth0} has {@code NET4.(i+1)} and {@code NET6::(i+1)} and default routes of both
 * families to the leaf (as on a real rack).
 */
record DualStackRack(NetworkNamespace leaf, NetworkNamespace... nodes) {

    /** The leaf {@code leafPrefix} and a node per {@code nodePrefixes}; {@code net4} like "10.205.0", {@code net6} like "fd00:205". */
    static DualStackRack wire(Testbed bed, String net4, String net6, String leafPrefix, String... nodePrefixes) {
        NetworkNamespace leaf = bed.lan(leafPrefix);
        leaf.exec("ip", "addr", "add", net4 + ".254/24", "dev", "br0");
        leaf.exec("ip", "addr", "add", net6 + "::fe/64", "dev", "br0", "nodad");
        leaf.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        leaf.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        NetworkNamespace[] nodes = new NetworkNamespace[nodePrefixes.length];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = bed.host(leaf, nodePrefixes[i], net4 + "." + (i + 1) + "/24", net6 + "::" + (i + 1) + "/64");
            nodes[i].exec("ip", "route", "add", "default", "via", net4 + ".254");
            nodes[i].exec("ip", "-6", "route", "add", "default", "via", net6 + "::fe");
        }
        return new DualStackRack(leaf, nodes);
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
