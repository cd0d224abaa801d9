package io.gannet.pod.wiring;

import io.gannet.linux.Errno;
import io.gannet.linux.LibC;
import io.gannet.linux.Netns;
import io.gannet.linux.SysException;
import io.gannet.linux.netlink.Link;
import io.gannet.linux.netlink.NextHop;
import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.Route;
import io.gannet.linux.netlink.RouteType;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.pod.routes.KernelRoutes;
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
 * eth0: 10.1.2.7/32, up
 * 10.1.2.1 dev eth0 scope link            (the gateway, on-link)
 * 10.1.2.1 lladdr &lt;host veth MAC&gt; PERMANENT (no ARP, no proxy ARP on the host)
 * default via 10.1.2.1 dev eth0
 * </pre>
 *
 * On the node: the host veth up, without an address; {@code 10.1.2.7 dev gnXXXX proto 201
 * scope link} through {@link KernelRoutes}; the datapath on the host veth.
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

    /** The request to wire: the address is the one the IPAM gave, the gateway its block's. */
    public record Wiring(String containerId, String ifName, Path netns, InetAddress address, InetAddress gateway,
                         String podNamespace, String podName, int mtu) {}

    /**
     * Wires the pod. On failure everything created so far is removed again and the error
     * (a {@link SysException} naming what failed) is rethrown.
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
            int bits = w.address().getAddress().length * 8;
            Prefix podAddr = new Prefix(w.address(), bits);
            Link podLink;
            try (RtNetlink pod = RtNetlink.openIn(w.netns())) {
                podLink = pod.links().require(w.ifName());
                pod.links().setUp(podLink, true);
                pod.links().byName("lo").filter(l -> !l.up()).ifPresent(lo -> pod.links().setUp(lo, true));
                pod.addresses().add(podLink, podAddr);
                Prefix gw = new Prefix(w.gateway(), bits);
                pod.routes().replace(Route.unicast(gw, 254, io.gannet.linux.netlink.Nl.RTPROT_BOOT,
                        List.of(NextHop.dev(podLink.index()))));
                pod.neighbours().replacePermanent(podLink, w.gateway(), hostLink.mac());
                Prefix any = Prefix.of(w.address().getAddress().length == 4 ? Prefix.literal("0.0.0.0") : Prefix.literal("::"), 0);
                pod.routes().replace(Route.unicast(any, 254, io.gannet.linux.netlink.Nl.RTPROT_BOOT,
                        List.of(new NextHop(w.gateway(), podLink.index(), 1))));
            }
            routes.podUp(w.address(), hostLink.index());
            routes.flush();
            datapath.attach(hostName, w.address().getHostAddress(), w.podNamespace() == null ? "" : w.podNamespace(),
                    w.podName() == null ? "" : w.podName());
            return new PodAttachment(w.containerId(), w.ifName(), w.netns().toString(), hostName, podAddr.toString(),
                    w.gateway().getHostAddress(), podLink.macString(), hostLink.macString(), w.podNamespace(), w.podName());
        } catch (RuntimeException e) {
            if (created) {
                undo(hostName, w.address());
            }
            throw e;
        } finally {
            Netns.close(fd);
        }
    }

    private void undo(String hostName, InetAddress address) {
        try {
            datapath.detach(hostName);
        } catch (RuntimeException ignored) {
            // nothing was attached yet
        }
        routes.podDown(address);
        host.links().deleteIfPresent(hostName);
        routes.flush();
    }

    /**
     * Removes the pod's wiring; what is already gone is skipped, so a repeated DEL succeeds.
     * The pod side goes with the host side (a veth pair dies whole); the netns may be gone.
     */
    public void delete(String hostName, InetAddress address) {
        if (host.links().byName(hostName).isPresent()) {
            try {
                datapath.detach(hostName);
            } catch (RuntimeException e) {
                // the datapath may have been reset; the link is deleted below either way
            }
            host.links().deleteIfPresent(hostName);
        }
        if (address != null) {
            routes.podDown(address);
            routes.flush();
        }
    }

    /** What is wrong with an attachment, one line per problem; empty when all is in place. */
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
        InetAddress ip = Prefix.literal(a.ip());
        int family = ip.getAddress().length == 4 ? LibC.AF_INET : LibC.AF_INET6;
        Prefix host32 = Prefix.of(ip, ip.getAddress().length * 8);
        boolean routed = host.routes().dump(family, 0, KernelRoutes.PROTOCOL).stream()
                .anyMatch(r -> r.dst().equals(host32) && r.type() == RouteType.UNICAST
                        && r.nextHops().stream().anyMatch(h -> h.ifindex() == hostLink.get().index()));
        if (!routed) {
            problems.add("no route " + host32 + " dev " + a.hostVeth() + " proto " + KernelRoutes.PROTOCOL + " on the node");
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
            boolean addressed = pod.addresses().dump(family, podLink.get().index()).stream()
                    .anyMatch(x -> x.prefix().toString().equals(a.address()));
            if (!addressed) {
                problems.add("address " + a.address() + " is missing on " + a.ifName());
            }
            InetAddress gw = Prefix.literal(a.gateway());
            boolean defaultRoute = pod.routes().dump(family, 254, 0).stream()
                    .anyMatch(r -> r.dst().length() == 0 && r.nextHops().stream().anyMatch(h -> gw.equals(h.gateway())));
            if (!defaultRoute) {
                problems.add("no default route via " + a.gateway() + " in " + a.netns());
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

    /** Host-side veths named like Gannet's ({@link HostVethName#isOurs}). */
    public List<String> hostVeths() {
        return host.links().dump().stream().map(Link::name).filter(HostVethName::isOurs).toList();
    }
}
