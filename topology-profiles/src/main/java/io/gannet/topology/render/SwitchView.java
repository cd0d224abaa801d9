package io.gannet.topology.render;

import io.gannet.topology.config.FabricModel;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.Role;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.resolve.Defaults;
import io.gannet.topology.resolve.EffectiveHost;
import io.gannet.topology.resolve.NodeConfigFactory;
import io.gannet.topology.resolve.ResolvedProfile;
import io.gannet.topology.resolve.SecretResolver;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The switch end of every session a switch has with hosts. Each session is the mirror
 * image of the host's own {@link NeighborConfig} for this switch, so both ends come from
 * one computation and cannot disagree on addresses, ASes, timers, BFD or the MD5 key.
 *
 * @param podCidrPools the pools whose PodCIDRs nodes may announce (IPv4: /len..25; IPv6: exactly the pool's length)
 * @param vipPools    pools whose host routes l4lb hosts may announce
 * @param maxPaths    ECMP width: the switch's own maxPaths, else the profile's
 * @param fixedIpPools pools whose host routes nodes announce for fixed StatefulSet IPs
 */
public record SwitchView(String name, FabricModel model, long asn, Inet4Address routerId, List<io.gannet.topology.model.PodCidrPool> podCidrPools,
        List<Cidr> vipPools, int maxPaths, List<Session> sessions, List<Cidr> fixedIpPools) {

    /** The PodCIDR pool of one family, or null. */
    public io.gannet.topology.model.PodCidrPool podCidrPool(boolean ipv4) {
        return podCidrPools.stream().filter(p -> p.cidr().isIpv4() == ipv4).findFirst().orElse(null);
    }

    /**
     * One host-facing session as the switch sees it.
     *
     * @param hostConfig    the host's whole configuration (for its role and announcements)
     * @param fromHost      the host's view of this session (addresses and ASes mirrored below)
     */
    public record Session(NodeConfig hostConfig, NeighborConfig fromHost, String switchPort) {
        /** A numbered session. */
        public Session(NodeConfig hostConfig, NeighborConfig fromHost) {
            this(hostConfig, fromHost, null);
        }

        /** Unnumbered: the switch peers over its interface to the host ({@code switchPort}). */
        public boolean unnumbered() {
            return fromHost.unnumbered();
        }

        public String hostName() { return hostConfig.name(); }
        public Role role() { return hostConfig.role(); }
        public InetAddress hostAddress() { return fromHost.localAddress(); }
        public int hostPort() { return hostConfig.listenPort(); }
        public long hostAs() { return fromHost.localAs(); }
        public InetAddress switchAddress() { return fromHost.address(); }
    }

    public static SwitchView of(ResolvedProfile profile, String switchName, SecretResolver secrets)
            throws SecretResolver.SecretUnavailableException {
        SwitchSpec s = profile.switchNamed(switchName).orElseThrow(() -> new IllegalArgumentException("no switch " + switchName));
        List<Session> sessions = new ArrayList<>();
        int maxPaths = s.maxPaths() != null ? s.maxPaths() : Defaults.MAX_PATHS;
        for (EffectiveHost h : profile.hostsOf(switchName)) {
            NodeConfig node = NodeConfigFactory.build(profile, h, secrets);
            Located<String> port = h.spec().switchPorts().get(switchName);
            // A dual-stack host has a session per family with this switch (the IPv6 one named "-ipv6").
            for (String name : List.of(switchName, NodeConfigFactory.ipv6SessionName(switchName))) {
                NeighborConfig n = node.neighbor(name).orElse(null);
                if (n == null) {
                    continue;
                }
                if (n.unnumbered() && port == null) {
                    throw new IllegalArgumentException("switch " + switchName + " is unnumbered (interface " + n.interfaceName()
                            + "): host " + h.name() + " needs switchPorts." + switchName + ", the switch's interface to it,"
                            + " to render the switch");
                }
                sessions.add(new Session(node, n, port == null ? null : port.value()));
            }
            if (s.maxPaths() == null) {
                maxPaths = node.maxPaths();
            }
        }
        Inet4Address routerId = s.routerId() != null ? s.routerId() : s.addresses().stream().map(Located::value)
                .filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).findFirst().orElseThrow();
        List<io.gannet.topology.model.PodCidrPool> pools = profile.profile().podPools().stream()
                .filter(p -> p.cidr() != null && p.prefixLength() != null).toList();
        return new SwitchView(switchName, profile.profile().model(), profile.switchAsn(switchName), routerId, pools,
                profile.profile().vipPool().stream().map(Located::value).toList(), maxPaths, sessions,
                profile.profile().fixedIpPools().stream().map(io.gannet.topology.model.FixedIpPool::cidr).toList());
    }
}
