package io.gannet.lab;

import io.gannet.linux.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fabric in namespaces: the node's namespace holds a bridge with the node's address; each
 * switch gets a namespace, a veth into the bridge and a real FRR bgpd. The root namespace's
 * interfaces are never touched.
 */
public final class Fabric implements AutoCloseable {
    public static final String BGPD = "/usr/lib/frr/bgpd";
    /** RFC 5737 documentation prefixes, one per switch: each switch announces its own back. */
    public static final List<String> TEST_NETS = List.of("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24");

    private final String prefix;
    private final Path dir;
    private final NetworkNamespace node;
    private final Map<String, FrrSwitch> switches = new LinkedHashMap<>();
    private final List<NetworkNamespace> namespaces = new ArrayList<>();

    public Fabric(String prefix, Path dir, String nodeCidr) {
        this.prefix = prefix;
        this.dir = dir;
        this.node = NetworkNamespace.create(prefix + "n");
        node.exec("ip", "link", "add", "br0", "type", "bridge");
        node.exec("ip", "addr", "add", nodeCidr, "dev", "br0");
        node.exec("ip", "link", "set", "br0", "up");
    }

    public NetworkNamespace node() {
        return node;
    }

    /**
     * Starts switch {@code name} at {@code cidr} with the rendered FRR configuration, plus a
     * static route {@code announceBack} it announces to its hosts (the rendered
     * configuration announces nothing back; this shows the node's import policy at work).
     */
    public FrrSwitch addSwitch(String name, String cidr, String renderedFrr, String announceBack) throws Exception {
        int index = namespaces.size() + 1;
        NetworkNamespace ns = NetworkNamespace.create(prefix + "s" + index);
        namespaces.add(ns);
        String bridgePort = prefix + "-p" + index;
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", ns.name(), "type", "veth",
                "peer", "name", bridgePort, "netns", node.name());
        node.exec("ip", "link", "set", bridgePort, "master", "br0");
        node.exec("ip", "link", "set", bridgePort, "up");
        ns.exec("ip", "addr", "add", cidr, "dev", "eth0");
        ns.exec("ip", "link", "set", "eth0", "up");
        Path swDir = Files.createDirectories(dir.resolve("frr-" + name));
        Path conf = swDir.resolve("bgpd.conf");
        Files.writeString(conf, renderedFrr + announcing(renderedFrr, announceBack));
        FrrSwitch sw = FrrSwitch.start(ns, swDir, conf);
        switches.put(name, sw);
        return sw;
    }

    public FrrSwitch frr(String name) {
        return switches.get(name);
    }

    public int switchCount() {
        return switches.size();
    }

    private static String announcing(String rendered, String prefix) {
        String routerBgp = rendered.lines().filter(l -> l.startsWith("router bgp ")).findFirst().orElseThrow();
        // bgpd runs without zebra (-Z): no RIB to check a network statement against.
        return routerBgp + "\n no bgp network import-check\n address-family ipv4 unicast\n  network " + prefix
                + "\n exit-address-family\nexit\n"
                + "ip prefix-list DR-BACK seq 5 permit " + prefix + "\n"
                + "route-map GANNET-HOSTS-OUT permit 5\n match ip address prefix-list DR-BACK\nexit\n";
    }

    /** Every switch's session summary and bgpd log, under one heading: for a test's failure message. */
    public String diagnostics() {
        StringBuilder b = new StringBuilder("\n--- switches:");
        for (Map.Entry<String, FrrSwitch> e : switches.entrySet()) {
            b.append("\n--- ").append(e.getKey()).append(": show bgp summary\n")
                    .append(e.getValue().vtysh("show bgp ipv4 unicast summary"))
                    .append(e.getValue().log());
        }
        return b.toString();
    }

    @Override
    public void close() {
        switches.values().forEach(FrrSwitch::close);
        for (NetworkNamespace ns : namespaces) {
            ns.close();
        }
        node.close();
    }
}
