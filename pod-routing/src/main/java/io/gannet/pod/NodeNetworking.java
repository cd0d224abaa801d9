package io.gannet.pod;

import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.pod.cni.CniBackend;
import io.gannet.pod.cni.CniServer;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.ipam.NodeIpam;
import io.gannet.pod.routes.KernelRoutes;
import io.gannet.pod.wiring.PodAttachment;
import io.gannet.pod.wiring.PodDatapath;
import io.gannet.pod.wiring.PodNetwork;
import io.gannet.pod.wiring.PodRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A node's pod networking, started by {@code gannet run}: the node IPAM for each of the node's
 * blocks (an IPv4 block, an IPv6 block, or one of each: dual-stack, where every pod gets one
 * address of each family), the kernel routes (pod routes, each block's unreachable route, BGP
 * imports), pod wiring and the CNI backend on its socket. On start, pods recorded before a
 * restart get their routes again (those whose host veth still exists, every address of each),
 * then stale Gannet pod routes are removed.
 */
public final class NodeNetworking implements AutoCloseable {
    /**
     * How the node's pod networking runs.
     *
     * @param blocks    the node's pod blocks: one, or two of different families; kept IPv4 first
     * @param nodeNetns the node's network namespace, null for the daemon's own (tests pass one they created)
     * @param ipams     the node IPAM of each block when the daemon already runs them (they stay the
     *                  caller's; same blocks as {@code blocks}), or null to open them here under {@code stateDir}
     */
    public record Options(Path stateDir, List<IpBlock> blocks, Path cniSocket, int mtu, PodDatapath datapath, int table, Path nodeNetns,
                          List<NodeIpam> ipams) {
        public Options {
            blocks = ipv4First(List.copyOf(blocks));
            if (blocks.isEmpty() || blocks.size() > 2 || (blocks.size() == 2 && blocks.get(0).isIpv4() == blocks.get(1).isIpv4())) {
                throw new IllegalArgumentException("pod blocks " + blocks + ": a node has one block, or one IPv4 and one IPv6 block");
            }
            if (ipams != null) {
                ipams = ipv4FirstIpams(List.copyOf(ipams));
                if (!ipams.stream().map(NodeIpam::block).toList().equals(blocks)) {
                    throw new IllegalArgumentException("pod blocks " + blocks + " but the node IPAMs serve "
                            + ipams.stream().map(NodeIpam::block).toList());
                }
            }
        }

        /** A single-stack node whose IPAM the caller runs ({@code ipam} null: opened here). */
        public Options(Path stateDir, IpBlock podCidr, Path cniSocket, int mtu, PodDatapath datapath, int table, Path nodeNetns,
                       NodeIpam ipam) {
            this(stateDir, List.of(podCidr), cniSocket, mtu, datapath, table, nodeNetns, ipam == null ? null : List.of(ipam));
        }

        /** A single-stack node; the IPAM is opened here. */
        public Options(Path stateDir, IpBlock podCidr, Path cniSocket, int mtu, PodDatapath datapath, int table, Path nodeNetns) {
            this(stateDir, podCidr, cniSocket, mtu, datapath, table, nodeNetns, null);
        }

        /** The first block (the IPv4 one on a dual-stack node). */
        public IpBlock podCidr() {
            return blocks.get(0);
        }

        /** The first block's IPAM when the caller runs them, else null. */
        public NodeIpam ipam() {
            return ipams == null ? null : ipams.get(0);
        }

        private static List<IpBlock> ipv4First(List<IpBlock> b) {
            return b.stream().sorted(Comparator.comparing(x -> x.isIpv4() ? 0 : 1)).toList();
        }

        private static List<NodeIpam> ipv4FirstIpams(List<NodeIpam> b) {
            return b.stream().sorted(Comparator.comparing(x -> x.block().isIpv4() ? 0 : 1)).toList();
        }
    }

    private final List<NodeIpam> ipams;
    private final boolean ownsIpams;
    private final KernelRoutes routes;
    private final RtNetlink host;
    private final CniServer server;
    private final CniBackend backend;

    private NodeNetworking(List<NodeIpam> ipams, boolean ownsIpams, KernelRoutes routes, RtNetlink host, CniServer server, CniBackend backend) {
        this.ipams = ipams;
        this.ownsIpams = ownsIpams;
        this.routes = routes;
        this.host = host;
        this.server = server;
        this.backend = backend;
    }

    public static NodeNetworking start(Options o, CniBackend.Events events) throws IOException {
        for (IpBlock b : o.blocks()) {
            io.gannet.linux.Netns.run(o.nodeNetns(), () -> enableForwarding(b.isIpv4(), events));
        }
        boolean ownsIpams = o.ipams() == null;
        List<NodeIpam> ipams = new ArrayList<>();
        KernelRoutes routes = null;
        RtNetlink host = null;
        try {
            if (ownsIpams) {
                for (IpBlock b : o.blocks()) {
                    ipams.add(NodeIpam.open(NodeIpam.Options.of(o.stateDir(), b)));
                }
            } else {
                ipams.addAll(o.ipams());
            }
            routes = KernelRoutes.start(RtNetlink.openIn(o.nodeNetns()), KernelRoutes.Options.defaults().withTable(o.table()));
            KernelRoutes r = routes;
            routes.onError(msg -> events.event("routes", "kernel", msg));
            host = RtNetlink.openIn(o.nodeNetns());
            PodRegistry registry = PodRegistry.open(o.stateDir());
            int restored = 0;
            for (PodAttachment a : registry.all()) {
                var link = host.links().byName(a.hostVeth());
                if (link.isPresent()) {
                    for (InetAddress ip : a.inetAddresses()) {
                        routes.podUp(ip, link.get().index());
                    }
                    restored++;
                    if (o.datapath().enabled()) {
                        restoreDatapath(o.datapath(), a, events);
                    }
                }
            }
            for (IpBlock b : o.blocks()) {
                routes.nodeBlock(Prefix.parse(b.toString()));
            }
            routes.podsRestored();
            routes.flush();
            PodNetwork network = new PodNetwork(host, r, o.datapath(), o.mtu());
            CniBackend backend = new CniBackend(ipams, network, registry, events);
            CniServer server = CniServer.start(o.cniSocket(), backend);
            String blocks = String.join(" and ", o.blocks().stream().map(IpBlock::toString).toList());
            events.event("cni", o.cniSocket().toString(), "serving pods of " + blocks + (o.blocks().size() > 1 ? " (dual-stack)" : "")
                    + "; " + restored + " pods restored, datapath " + (o.datapath().enabled() ? "attached to each pod"
                    : "off (no --services-dir)"));
            return new NodeNetworking(List.copyOf(ipams), ownsIpams, routes, host, server, backend);
        } catch (IOException | RuntimeException e) {
            if (routes != null) {
                routes.close();
            }
            if (host != null) {
                host.close();
            }
            if (ownsIpams) {
                ipams.forEach(NodeIpam::close);
            }
            throw e;
        }
    }

    /**
     * A restored pod's datapath: its programs and endpoint made to be in place, its IPv6 source
     * (re)registered (pods attached before the IPv6 source check existed had none). What changed
     * is logged per pod; a failure is reported and the pod keeps its routes.
     */
    private static void restoreDatapath(PodDatapath datapath, PodAttachment a, CniBackend.Events events) {
        try {
            String done = datapath.restored(a.hostVeth(), a.inetAddresses());
            if (!done.equals("in place")) {
                events.event("cni", a.hostVeth(), "restored pod " + String.join(" ", a.ips()) + ": datapath " + done);
            }
        } catch (RuntimeException e) {
            events.event("cni", a.hostVeth(), "restored pod " + String.join(" ", a.ips()) + ": datapath not attached: " + e.getMessage());
        }
    }

    private static void enableForwarding(boolean ipv4, CniBackend.Events events) {
        Path p = io.gannet.linux.proc.Forwarding.path(ipv4);
        try {
            if (io.gannet.linux.proc.Forwarding.enable(ipv4)) {
                events.event("cni", p.toString(), "set to 1: pods' traffic is routed through this node");
            }
        } catch (IOException e) {
            events.event("cni", p.toString(), "could not enable forwarding: " + e.getMessage());
        }
    }

    /** The kernel routes (the agent feeds BGP's selection here). */
    public KernelRoutes routes() {
        return routes;
    }

    /** The first block's IPAM (the IPv4 one on a dual-stack node). */
    public NodeIpam ipam() {
        return ipams.get(0);
    }

    /** The IPAM of each block, IPv4 first. */
    public List<NodeIpam> ipams() {
        return ipams;
    }

    /** The attachments wired now, read on the CNI worker. */
    public List<PodAttachment> pods() {
        try {
            return server.onWorker(backend::attachments);
        } catch (Exception e) {
            throw new IllegalStateException("pods not readable: " + e.getMessage(), e);
        }
    }

    /** Stops serving; pods, routes and addresses stay (a restarted daemon adopts them). */
    @Override
    public void close() {
        server.close();
        routes.close();
        host.close();
        if (ownsIpams) {
            ipams.forEach(NodeIpam::close);
        }
    }
}
