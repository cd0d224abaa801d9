package io.gannet.pod.wiring;

import io.gannet.linux.Errno;
import io.gannet.linux.LibC;
import io.gannet.linux.Netns;
import io.gannet.linux.SysException;
import io.gannet.linux.netlink.Link;
import io.gannet.linux.netlink.Nl;
import io.gannet.linux.netlink.NextHop;
import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.Route;
import io.gannet.linux.netlink.RouteType;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.routes.KernelRoutes;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Creates, verifies and removes one pod's interfaces and routes (see the package comment).
 * Inside the pod:
 *
 * <pre>
 * eth0: 10.1.2.7/32, fd00:1:2::7/128 (nodad), up
 * 10.1.2.1 dev eth0 scope link            (the gateway, on-link)
 * 10.1.2.1 lladdr &lt;host veth MAC&gt; PERMANENT (no ARP, no proxy ARP on the host)
 * default via 10.1.2.1 dev eth0
 * fd00:1:2::1 dev eth0                    (the IPv6 gateway, likewise)
 * fd00:1:2::1 lladdr &lt;host veth MAC&gt; PERMANENT
 * default via fd00:1:2::1 dev eth0
 * </pre>
 *
 * A pod has one address per block of the node (IPv4, IPv6 or both). On the node: the host veth
 * up, without an address; {@code 10.1.2.7 dev gnXXXX proto 201 scope link} and {@code
 * fd00:1:2::7 dev gnXXXX proto 201} through {@link KernelRoutes}; for IPv6 a permanent
 * neighbour entry {@code fd00:1:2::7 lladdr <pod MAC>} on the host veth (its link-local
 * address is tentative for 1-2 s after creation, and the kernel sends no neighbour
 * solicitation before); the datapath on the host veth, its endpoint registered with the pod's
 * IPv4 address (and the IPv6 one for the IPv6 source check), or with the IPv6 address alone for
 * an IPv6-only pod.
 */
public final class PodNetwork {
    private final RtNetlink host;
    private final KernelRoutes routes;
    private final PodDatapath datapath;
    private final int mtu;

    /**
     * @param host   rtnetlink in the node's namespace (owned by the caller)
     * @param mtu    MTU of both veth ends, 0 for the kernel's default
     */
    public PodNetwork(RtNetlink host, KernelRoutes routes, PodDatapath datapath, int mtu) {
        this.host = host;
        this.routes = routes;
        this.datapath = datapath;
        this.mtu = mtu;
    }

    /**
     * The request to wire: the addresses the IPAMs gave (IPv4 first on a dual-stack node), each
     * with its block's gateway.
     */
    public record Wiring(String containerId, String ifName, Path netns, List<InetAddress> addresses, List<InetAddress> gateways,
                         String podNamespace, String podName, int mtu) {
        public Wiring {
            addresses = List.copyOf(addresses);
            gateways = List.copyOf(gateways);
            if (addresses.isEmpty() || addresses.size() != gateways.size()) {
                throw new IllegalArgumentException("each pod address needs its gateway");
            }
        }

        /** A pod with one address. */
        public Wiring(String containerId, String ifName, Path netns, InetAddress address, InetAddress gateway,
                      String podNamespace, String podName, int mtu) {
            this(containerId, ifName, netns, List.of(address), List.of(gateway), podNamespace, podName, mtu);
        }
    }

    /**
     * Wires the pod: every address with its gateway, route and neighbour entry. On failure
     * everything created so far is removed again and the error (a {@link SysException} naming
     * what failed) is rethrown.
     */
    public PodAttachment add(Wiring w) {
        String hostName = HostVethName.of(w.containerId(), w.ifName());
        int fd = Netns.open(w.netns());
        boolean created = false;
        try {
            int linkMtu = w.mtu() > 0 ? w.mtu() : mtu;
            host.links().createVeth(hostName, w.ifName(), fd, linkMtu);
            created = true;
            Link hostLink = host.links().require(hostName);
            host.links().setUp(hostLink, true);
            List<String> addresses = new ArrayList<>();
            Link podLink;
            try (RtNetlink pod = RtNetlink.openIn(w.netns())) {
                podLink = pod.links().require(w.ifName());
                pod.links().setUp(podLink, true);
                pod.links().byName("lo").filter(l -> !l.up()).ifPresent(lo -> pod.links().setUp(lo, true));
                for (int i = 0; i < w.addresses().size(); i++) {
                    addresses.add(addInPod(pod, podLink, hostLink, w.addresses().get(i), w.gateways().get(i)));
                }
            }
            for (InetAddress a : w.addresses()) {
                if (!(a instanceof Inet4Address)) {
                    // The host veth's link-local address is tentative for its first 1-2 s and the
                    // kernel sends no neighbour solicitation from it meanwhile: a static entry
                    // lets the pod's first IPv6 packets through (IPv4 resolves by ARP at once).
                    host.neighbours().replacePermanent(hostLink, a, podLink.mac());
                }
                routes.podUp(a, hostLink.index());
            }
            routes.flush();
            // The endpoint's address: the IPv4 one, or the IPv6 one of an IPv6-only pod.
            Optional<InetAddress> v4 = w.addresses().stream().filter(a -> a instanceof Inet4Address).findFirst();
            Optional<InetAddress> v6 = w.addresses().stream().filter(a -> !(a instanceof Inet4Address)).findFirst();
            datapath.attach(hostName, IpBlock.format(v4.orElseGet(v6::orElseThrow)), w.podNamespace() == null ? "" : w.podNamespace(),
                    w.podName() == null ? "" : w.podName());
            if (v4.isPresent() && v6.isPresent()) {
                datapath.attachIpv6(hostName, IpBlock.format(v6.get())); // the IPv6 source a dual-stack pod may send from
            }
            return new PodAttachment(w.containerId(), w.ifName(), w.netns().toString(), hostName, addresses,
                    w.gateways().stream().map(IpBlock::format).toList(), podLink.macString(), hostLink.macString(),
                    w.podNamespace(), w.podName());
        } catch (RuntimeException e) {
            if (created) {
                undo(hostName, w.addresses());
            }
            throw e;
        } finally {
            Netns.close(fd);
        }
    }

    /**
     * One address in the pod: the host prefix (IPv6 without duplicate address detection, so it
     * is usable at once), the gateway on-link, a permanent neighbour entry for the gateway with
     * the host veth's MAC, and the family's default route via the gateway. Returns the address
     * as the CNI result writes it.
     */
    private static String addInPod(RtNetlink pod, Link podLink, Link hostLink, InetAddress address, InetAddress gateway) {
        int bits = address.getAddress().length * 8;
        pod.addresses().add(podLink, new Prefix(address, bits));
        pod.routes().replace(Route.unicast(new Prefix(gateway, bits), 254, Nl.RTPROT_BOOT, List.of(NextHop.dev(podLink.index()))));
        pod.neighbours().replacePermanent(podLink, gateway, hostLink.mac());
        Prefix any = Prefix.of(address instanceof Inet4Address ? Prefix.literal("0.0.0.0") : Prefix.literal("::"), 0);
        pod.routes().replace(Route.unicast(any, 254, Nl.RTPROT_BOOT, List.of(new NextHop(gateway, podLink.index(), 1))));
        return IpBlock.format(address) + "/" + bits;
    }

    private void undo(String hostName, List<InetAddress> addresses) {
        try {
            datapath.detach(hostName);
        } catch (RuntimeException ignored) {
            // nothing was attached yet
        }
        addresses.forEach(routes::podDown);
        host.links().deleteIfPresent(hostName);
        routes.flush();
    }

    /**
     * Removes the pod's wiring and the host route of each of {@code addresses}; what is already
     * gone is skipped, so a repeated DEL succeeds. The pod side goes with the host side (a veth
     * pair dies whole); the netns may be gone.
     */
    public void delete(String hostName, List<InetAddress> addresses) {
        if (host.links().byName(hostName).isPresent()) {
            try {
                datapath.detach(hostName);
            } catch (RuntimeException e) {
                // the datapath may have been reset; the link is deleted below either way
            }
            host.links().deleteIfPresent(hostName);
        }
        if (!addresses.isEmpty()) {
            addresses.forEach(routes::podDown);
            routes.flush();
        }
    }

    /** What is wrong with an attachment, one line per problem (each address checked); empty when all is in place. */
    public List<String> check(PodAttachment a) {
        List<String> problems = new ArrayList<>();
        Optional<Link> hostLink = host.links().byName(a.hostVeth());
        if (hostLink.isEmpty()) {
            problems.add("host interface " + a.hostVeth() + " is missing");
            return problems;
        }
        if (!hostLink.get().up()) {
            problems.add("host interface " + a.hostVeth() + " is down");
        }
        for (InetAddress ip : a.inetAddresses()) {
            int family = ip instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6;
            Prefix hostRoute = Prefix.of(ip, ip.getAddress().length * 8);
            boolean routed = host.routes().dump(family, 0, KernelRoutes.PROTOCOL).stream()
                    .anyMatch(r -> r.dst().equals(hostRoute) && r.type() == RouteType.UNICAST
                            && r.nextHops().stream().anyMatch(h -> h.ifindex() == hostLink.get().index()));
            if (!routed) {
                problems.add("no route " + IpBlock.format(ip) + "/" + hostRoute.length() + " dev " + a.hostVeth()
                        + " proto " + KernelRoutes.PROTOCOL + " on the node");
            }
            if (family == LibC.AF_INET6 && host.neighbours().dump(family, hostLink.get().index()).stream()
                    .noneMatch(n -> n.address().equals(ip) && n.state() == Nl.NUD_PERMANENT)) {
                problems.add("no permanent neighbour entry for " + IpBlock.format(ip) + " on " + a.hostVeth());
            }
        }
        if (datapath.enabled() && datapath.attachedProgram(a.hostVeth()) == 0) {
            problems.add("datapath not attached to " + a.hostVeth());
        }
        try (RtNetlink pod = RtNetlink.openIn(Path.of(a.netns()))) {
            Optional<Link> podLink = pod.links().byName(a.ifName());
            if (podLink.isEmpty()) {
                problems.add("interface " + a.ifName() + " is missing in " + a.netns());
                return problems;
            }
            if (!podLink.get().up()) {
                problems.add("interface " + a.ifName() + " is down in " + a.netns());
            }
            for (int i = 0; i < a.addresses().size(); i++) {
                checkInPod(pod, podLink.get(), a, Prefix.host(a.addresses().get(i)), Prefix.literal(a.gateways().get(i)), problems);
            }
        } catch (SysException e) {
            if (e.errno() == Errno.ENOENT) {
                problems.add("network namespace " + a.netns() + " is gone");
            } else {
                throw e;
            }
        }
        return problems;
    }

    private static void checkInPod(RtNetlink pod, Link podLink, PodAttachment a, Prefix address, InetAddress gateway, List<String> problems) {
        int family = address.family();
        String text = IpBlock.format(address.address()) + "/" + address.length();
        if (pod.addresses().dump(family, podLink.index()).stream().noneMatch(x -> x.prefix().equals(address))) {
            problems.add("address " + text + " is missing on " + a.ifName());
        }
        boolean defaultRoute = pod.routes().dump(family, 254, 0).stream()
                .anyMatch(r -> r.dst().length() == 0 && r.nextHops().stream().anyMatch(h -> gateway.equals(h.gateway())));
        if (!defaultRoute) {
            problems.add("no default route via " + IpBlock.format(gateway) + " in " + a.netns());
        }
    }

    /** Host-side veths named like Gannet's ({@link HostVethName#isOurs}). */
    public List<String> hostVeths() {
        return host.links().dump().stream().map(Link::name).filter(HostVethName::isOurs).toList();
    }
}
