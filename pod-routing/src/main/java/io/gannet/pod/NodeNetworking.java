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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A node's pod networking, started by {@code gannet run}: the node IPAM for the PodCIDR, the
 * kernel routes (pod routes, the block's unreachable route, BGP imports), pod wiring and the CNI
 * backend on its socket. On start, pods recorded before a restart get their routes again (those
 * whose host veth still exists), then stale Gannet pod routes are removed.
 */
public final class NodeNetworking implements AutoCloseable {
    /**
     * How the node's pod networking runs.
     *
     * @param nodeNetns the node's network namespace, null for the daemon's own (tests pass one they created)
     * @param ipam      the node IPAM when the daemon already runs one for {@code podCidr} (it stays the
     *                  caller's), or null to open one here under {@code stateDir}
     */
    public record Options(Path stateDir, IpBlock podCidr, Path cniSocket, int mtu, PodDatapath datapath, int table, Path nodeNetns,
                          NodeIpam ipam) {
        public Options(Path stateDir, IpBlock podCidr, Path cniSocket, int mtu, PodDatapath datapath, int table, Path nodeNetns) {
            this(stateDir, podCidr, cniSocket, mtu, datapath, table, nodeNetns, null);
        }
    }

    private final NodeIpam ipam;
    private final boolean ownsIpam;
    private final KernelRoutes routes;
    private final RtNetlink host;
    private final CniServer server;
    private final CniBackend backend;

    private NodeNetworking(NodeIpam ipam, boolean ownsIpam, KernelRoutes routes, RtNetlink host, CniServer server, CniBackend backend) {
        this.ipam = ipam;
        this.ownsIpam = ownsIpam;
        this.routes = routes;
        this.host = host;
        this.server = server;
        this.backend = backend;
    }

    public static NodeNetworking start(Options o, CniBackend.Events events) throws IOException {
        io.gannet.linux.Netns.run(o.nodeNetns(), () -> enableForwarding(o.podCidr().isIpv4(), events));
        boolean ownsIpam = o.ipam() == null;
        NodeIpam ipam = ownsIpam ? NodeIpam.open(NodeIpam.Options.of(o.stateDir(), o.podCidr())) : o.ipam();
        KernelRoutes routes = null;
        RtNetlink host = null;
        try {
            routes = KernelRoutes.start(RtNetlink.openIn(o.nodeNetns()), KernelRoutes.Options.defaults().withTable(o.table()));
            KernelRoutes r = routes;
            routes.onError(msg -> events.event("routes", "kernel", msg));
            host = RtNetlink.openIn(o.nodeNetns());
            PodRegistry registry = PodRegistry.open(o.stateDir());
            int restored = 0;
            for (PodAttachment a : registry.all()) {
                var link = host.links().byName(a.hostVeth());
                if (link.isPresent()) {
                    routes.podUp(Prefix.literal(a.ip()), link.get().index());
                    restored++;
                }
            }
            routes.nodeBlock(Prefix.parse(o.podCidr().toString()));
            routes.podsRestored();
            routes.flush();
            PodNetwork network = new PodNetwork(host, r, o.datapath(), o.mtu());
            CniBackend backend = new CniBackend(ipam, network, registry, events);
            CniServer server = CniServer.start(o.cniSocket(), backend);
            events.event("cni", o.cniSocket().toString(), "serving pods of " + o.podCidr() + "; " + restored + " pods restored, datapath "
                    + (o.datapath().enabled() ? "attached to each pod" : "off (no --services-dir)"));
            return new NodeNetworking(ipam, ownsIpam, routes, host, server, backend);
        } catch (IOException | RuntimeException e) {
            if (routes != null) {
                routes.close();
            }
            if (host != null) {
                host.close();
            }
            if (ownsIpam) {
                ipam.close();
            }
            throw e;
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

    public NodeIpam ipam() {
        return ipam;
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
        if (ownsIpam) {
            ipam.close();
        }
    }
}
