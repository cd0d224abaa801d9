package io.gannet.agent.run;

import io.gannet.agent.logging.EventLog;
import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.rib.ForwardingFeed;
import io.gannet.bgp.rib.Rib;
import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.netpolicy.pods.PodPublisher;
import io.gannet.pod.NodeNetworking;
import io.gannet.pod.ipam.NodeIpam;
import io.gannet.pod.routes.KernelRoutes;
import io.gannet.pod.wiring.BpfPodDatapath;
import io.gannet.pod.wiring.PodDatapath;
import io.gannet.topology.config.NodeConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wires the node's pod networking (pod-routing) into the daemon: the CNI backend with the
 * datapath attached to each pod when the datapath runs, and the BGP selection fed from the
 * speaker loop ({@link ForwardingFeed}) into the kernel routes' own thread.
 *
 * <p>Graceful restart: Gannet routes left in the kernel by the previous daemon stay until the
 * RIB has had time to re-converge (the restart time, 120 s, after a graceful restart; 5 s after
 * a clean start), then those BGP no longer selects are removed.
 */
final class NodeNetworkingBinding implements AutoCloseable {
    private static final long CONVERGED_AFTER_RESTART_S = 120;
    private static final long CONVERGED_AFTER_START_S = 5;
    /** A node gone this long takes its pods out of other nodes' policy (a restart re-adopts them well before). */
    private static final java.time.Duration PUBLISHED_POD_LEASE = java.time.Duration.ofSeconds(60);

    private final NodeNetworking networking;
    private final KernelRoutes ownRoutes;
    private final ScheduledExecutorService timer;
    private final PodPublisher publisher;

    private NodeNetworkingBinding(NodeNetworking networking, KernelRoutes ownRoutes, ScheduledExecutorService timer, PodPublisher publisher) {
        this.networking = networking;
        this.ownRoutes = ownRoutes;
        this.timer = timer;
        this.publisher = publisher;
    }

    /** Starts what the options ask for; null when neither pod networking nor --fib is on. */
    static NodeNetworkingBinding start(DaemonOptions o, NodeConfig node, PodNetwork podNetwork, BgpSpeaker<Rib> speaker, SpeakerLoop loop,
                                       ServiceDatapath datapath, PolicyPart policy, EventLog log, boolean restarting) throws IOException {
        if (o.cniSocket() == null && !o.fib()) {
            return null;
        }
        NodeNetworking networking = null;
        PodPublisher publisher = null;
        if (o.cniSocket() != null) {
            // The daemon's node IPAM (PodNetwork: profile-pinned or store-allocated PodCIDR) is the one
            // the CNI backend allocates from; a second IPAM on the same journal would hand out twice.
            if (podNetwork == null) {
                throw new IllegalArgumentException("--cni-socket: host " + node.name() + " is not a node with a PodCIDR in the profile");
            }
            NodeIpam ipam = podNetwork.ipam();
            PodDatapath dp = datapath == null ? PodDatapath.NONE : new BpfPodDatapath(datapath.datapath());
            if (policy != null) {
                dp = policy.wrap(dp);
            }
            // Every node publishes its pods, so other nodes' policy knows their identities.
            publisher = new PodPublisher(podNetwork.store(), node.name(), PUBLISHED_POD_LEASE,
                    (what, msg) -> log.operatorAction(what, node.name(), msg));
            PublishingPodDatapath publishing = new PublishingPodDatapath(dp, publisher);
            // A dual-stack node: each pod gets an address of each block (IPv4 first).
            List<NodeIpam> ipams = podNetwork.ipam6() == null ? List.of(ipam) : List.of(ipam, podNetwork.ipam6());
            networking = NodeNetworking.start(new NodeNetworking.Options(o.stateDir(), ipams.stream().map(NodeIpam::block).toList(),
                    o.cniSocket(), 0, publishing, 254, null, ipams), log::operatorAction);
            publishing.restored(networking.pods());
            if (policy != null) {
                policy.restored(networking.pods());
            }
        }
        KernelRoutes own = null;
        KernelRoutes routes = networking != null ? networking.routes() : null;
        if (o.fib()) {
            if (routes == null) {
                own = KernelRoutes.start(RtNetlink.open(), KernelRoutes.Options.defaults());
                own.onError(m -> log.operatorAction("routes", "kernel", m));
                own.podsRestored();
                routes = own;
            }
            KernelRoutes sink = routes;
            loop.call(() -> ForwardingFeed.attach(speaker.routes(), speaker::execute, changes -> sink.bgp(convert(changes))));
            log.operatorAction("fib", node.name(), "BGP selection installed into the kernel (table 254, proto " + KernelRoutes.PROTOCOL + ")");
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-fib-converged");
            t.setDaemon(true);
            return t;
        });
        KernelRoutes converge = routes;
        if (converge != null) {
            timer.schedule(converge::bgpConverged, restarting ? CONVERGED_AFTER_RESTART_S : CONVERGED_AFTER_START_S, TimeUnit.SECONDS);
        }
        return new NodeNetworkingBinding(networking, own, timer, publisher);
    }

    private static List<KernelRoutes.BgpRoute> convert(List<ForwardingFeed.Change> changes) {
        List<KernelRoutes.BgpRoute> out = new ArrayList<>(changes.size());
        for (ForwardingFeed.Change c : changes) {
            out.add(new KernelRoutes.BgpRoute(Prefix.of(c.address(), c.length()), c.nextHops()));
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (networking != null) {
            networking.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (ownRoutes != null) {
            ownRoutes.close();
        }
    }
}
