package io.gannet.agent.run;

import io.gannet.agent.control.BfdSessionStatus;
import io.gannet.agent.control.BfdState;
import io.gannet.agent.control.CandidatePath;
import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.DaemonView;
import io.gannet.agent.control.Family;
import io.gannet.agent.control.MessageCounts;
import io.gannet.agent.control.PeerStatus;
import io.gannet.agent.control.RouteDetail;
import io.gannet.agent.control.RouteEntry;
import io.gannet.agent.control.RouteList;
import io.gannet.agent.control.RouteQuery;
import io.gannet.agent.control.SessionState;
import io.gannet.agent.control.IpPrefix;
import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.rib.RibViews.PeerCounters;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * The daemon's read model over the running speaker. Every read hops onto the speaker loop
 * (through {@link SpeakerLoop}) and copies what it needs into immutable API records there,
 * so the RIB is never touched from a control thread.
 */
final class SpeakerView implements DaemonView {
    private final BgpSpeaker<Rib> speaker;
    private final SpeakerLoop loop;
    private final BfdBinding bfd;
    private final LongSupplier localAs;
    private final ServiceDatapath datapath;
    private final PodNetwork pods;
    private RouteSources sources;

    /** Marks each local route of {@code show routes} with its source (profile or operator). */
    SpeakerView withSources(RouteSources s) {
        this.sources = s;
        return this;
    }

    private volatile L4lbPart l4lb;

    /** @param datapath the eBPF Service datapath, or null when the daemon runs without one */
    private java.util.function.Supplier<List<io.gannet.topology.config.NeighborConfig>> pendingUnnumbered = List::of;

    SpeakerView(BgpSpeaker<Rib> speaker, SpeakerLoop loop, BfdBinding bfd, LongSupplier localAs, ServiceDatapath datapath, PodNetwork pods) {
        this.pods = pods;
        this.speaker = speaker;
        this.loop = loop;
        this.bfd = bfd;
        this.localAs = localAs;
        this.datapath = datapath;
    }

    @Override
    public List<Map<String, Object>> ipam() {
        return podNetwork().rows();
    }

    @Override
    public Map<String, Object> ipamSummary() {
        return podNetwork().summary();
    }

    private PodNetwork podNetwork() {
        if (pods == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "ipam: this host has no PodCIDR (an L4LB host, or a profile without podCIDRPool)");
        }
        return pods;
    }

    @Override
    public List<Map<String, Object>> vips() {
        if (l4lb == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "vips: the L4 load balancer is not running (role l4lb in the profile and gannet run --services-dir DIR)");
        }
        return l4lb.rows();
    }

    private volatile PolicyPart policy;

    /** Serves {@code show policy} and {@code monitor --drops} (null: --policy-dir not given). */
    SpeakerView withPolicy(PolicyPart part) {
        this.policy = part;
        return this;
    }

    @Override
    public Map<String, Object> policy(String endpoint) {
        return policyPart().show(endpoint);
    }

    @Override
    public Map<String, Object> drops(long after) {
        return policyPart().drops(after);
    }

    private volatile MasqueradePart masquerade;

    /** Serves {@code show nat} (null: the profile does not enable masquerade on this host). */
    SpeakerView withMasquerade(MasqueradePart part) {
        this.masquerade = part;
        return this;
    }

    /** Unnumbered neighbors whose switch has not advertised yet: listed by {@code show peers} without a session. */
    SpeakerView withPendingUnnumbered(java.util.function.Supplier<List<io.gannet.topology.config.NeighborConfig>> pending) {
        this.pendingUnnumbered = pending;
        return this;
    }

    @Override
    public Map<String, Object> nat() {
        MasqueradePart m = masquerade;
        if (m == null) {
            return Map.of("enabled", false, "translations", List.of(), "why",
                    "masquerade is off: the profile does not set spec.masquerade.enabled (pods leave with their own addresses)");
        }
        return m.show();
    }

    @Override
    public Map<String, Object> externalEndpoints() {
        return PolicyPart.require(policy).externalEndpoints();
    }

    private PolicyPart policyPart() {
        PolicyPart p = policy;
        if (p == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "policy: ingress policy is not running (start gannet run with --policy-dir DIR on a node with --cni-socket)");
        }
        return p;
    }

    /** Serves {@code show vips} from the L4LB (null: not running). */
    SpeakerView withL4lb(L4lbPart part) {
        this.l4lb = part;
        return this;
    }

    @Override
    public List<Map<String, Object>> services() {
        if (datapath == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "services: the eBPF datapath is not running (start gannet run with --services-dir DIR)");
        }
        return datapath.rows();
    }

    @Override
    public List<PeerStatus> peers() {
        // One hop onto the loop: sessions and RIB counters from the same instant.
        record Snapshot(List<io.gannet.bgp.session.PeerStatus> sessions, Map<String, PeerCounters> counters) {}
        Snapshot snap = loop.call(() -> {
            Map<String, PeerCounters> m = new HashMap<>();
            for (PeerCounters c : speaker.routes().peerCounters()) {
                m.put(c.peer(), c);
            }
            return new Snapshot(speaker.peers(), m);
        });
        List<io.gannet.bgp.session.PeerStatus> sessions = snap.sessions();
        Map<String, PeerCounters> counters = snap.counters();
        long localAs = this.localAs.getAsLong();
        List<PeerStatus> out = new ArrayList<>(sessions.size());
        for (io.gannet.bgp.session.PeerStatus s : sessions) {
            PeerCounters c = counters.get(s.name());
            out.add(new PeerStatus(s.name(), s.address(), s.remoteAs(), localAs, state(s.state()), s.adminDown(),
                    s.since().toEpochMilli(),
                    c == null ? 0 : c.received(), c == null ? 0 : c.accepted(), c == null ? 0 : c.advertised(),
                    bfd.stateOf(s.name()), s.lastError(), counts(s.messagesIn()), counts(s.messagesOut()), s.flaps()));
        }
        for (io.gannet.topology.config.NeighborConfig n : pendingUnnumbered.get()) {
            if (out.stream().noneMatch(p -> p.name().equals(n.name()))) {
                out.add(new PeerStatus(n.name(), null, n.remoteAs(), n.localAs(), SessionState.IDLE, false, 0, 0, 0, 0,
                        BfdState.NONE, "waiting for the switch's router advertisement on " + n.interfaceName()
                                + " (unnumbered: its link-local address is not known yet)",
                        MessageCounts.ZERO, MessageCounts.ZERO, 0));
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    @Override
    public RouteList routes(RouteQuery query) {
        if (query.peer() != null) {
            peer(query.peer());
        }
        return loop.call(() -> {
            List<RouteEntry> out = new ArrayList<>();
            boolean truncated = false;
            for (Family family : query.family() == null ? List.of(Family.IPV4, Family.IPV6) : List.of(query.family())) {
                for (RouteView r : speaker.routes().routes(family == Family.IPV4 ? AddressFamily.IPV4_UNICAST : AddressFamily.IPV6_UNICAST)) {
                    for (PathView p : r.paths()) {
                        if (query.peer() == null ? !p.best() && !p.multipath() : !query.peer().equals(p.peer())) {
                            continue;
                        }
                        RouteEntry e = RouteMapping.entry(r.prefix(), p);
                        if (sources != null && (p.peer() == null || p.peer().equals(RouteSources.LOCAL_PATH))) {
                            e = e.withSource(sources.ofLocal(e.prefix()));
                        }
                        if (!query.matchesPrefix(e)) {
                            continue;
                        }
                        if (out.size() == query.limit()) {
                            truncated = true;
                            break;
                        }
                        out.add(e);
                    }
                }
            }
            return new RouteList(out, truncated);
        });
    }

    @Override
    public io.gannet.agent.control.PeerDetail peerDetail(String name) {
        record Snapshot(io.gannet.bgp.session.PeerStatus session, PeerCounters counters) {}
        Snapshot snap = loop.call(() -> new Snapshot(speaker.peer(name), speaker.routes().peerCounters(name)));
        if (snap.session() == null) {
            peer(name); // throws UNKNOWN_PEER with the known names
        }
        return PeerDetails.of(snap.session(), snap.counters(), localAs.getAsLong());
    }

    /** Longest match: the most specific prefix of the Loc-RIB that covers {@code address}. */
    @Override
    public RouteList routesFor(InetAddress address) {
        int bits = address.getAddress().length * 8;
        return loop.call(() -> {
            for (int len = bits; len >= 0; len--) {
                IpPrefix covering = IpPrefix.of(address, len);
                RouteView r = speaker.routes().route(RouteMapping.prefix(covering));
                if (r == null) {
                    continue;
                }
                List<RouteEntry> out = new ArrayList<>();
                for (PathView p : r.paths()) {
                    if (p.best() || p.multipath()) {
                        RouteEntry e = RouteMapping.entry(r.prefix(), p);
                        if (sources != null && RouteSources.LOCAL_PATH.equals(p.peer())) {
                            e = e.withSource(sources.ofLocal(e.prefix()));
                        }
                        out.add(e);
                    }
                }
                if (!out.isEmpty()) {
                    return new RouteList(out, false);
                }
            }
            throw new ControlException(ControlException.Kind.UNKNOWN_PREFIX,
                    "no route covers " + io.gannet.agent.control.IpLiteral.format(address) + " in the RIB");
        });
    }

    @Override
    public RouteList advertised(String name, Family family) {
        return adjRib(name, family, (rib, f) -> rib.advertisedRoutes(name, f), (px, a) -> RouteMapping.advertised(px, a, name));
    }

    @Override
    public RouteList received(String name, Family family) {
        requireKept(name, "--received");
        return adjRib(name, family, (rib, f) -> rib.receivedRoutes(name, f), (px, a) -> RouteMapping.adjRibIn(px, a, name, false));
    }

    @Override
    public RouteList rejected(String name, Family family) {
        requireKept(name, "--rejected");
        return adjRib(name, family, (rib, f) -> rib.rejectedRoutes(name, f), (px, a) -> RouteMapping.adjRibIn(px, a, name, true));
    }

    /** What a peer sent before import policy is kept only with keepReceived: say so rather than answer "nothing". */
    private void requireKept(String name, String what) {
        peer(name);
        if (!loop.call(() -> speaker.routes().keepsReceived(name))) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE, "peer '" + name + "': " + what
                    + " needs what it sent before import policy, which is not kept for this session; set bgp.keepReceived: true"
                    + " in the profile (spec.bgp, or the host's override) and run gannet reload (as FRR's soft-reconfiguration inbound)");
        }
    }

    private RouteList adjRib(String name, Family family,
                             BiFunction<Rib, AddressFamily, List<Map.Entry<Prefix, PathAttributes>>> table,
                             BiFunction<Prefix, PathAttributes, RouteEntry> entry) {
        peer(name);
        return loop.call(() -> {
            List<RouteEntry> out = new ArrayList<>();
            for (Family f : family == null ? List.of(Family.IPV4, Family.IPV6) : List.of(family)) {
                for (var e : table.apply(speaker.routes(), f == Family.IPV4 ? AddressFamily.IPV4_UNICAST : AddressFamily.IPV6_UNICAST)) {
                    out.add(entry.apply(e.getKey(), e.getValue()));
                }
            }
            return new RouteList(out, false);
        });
    }

    @Override
    public RouteDetail routeDetail(IpPrefix prefix) {
        return loop.call(() -> {
            Map<String, InetAddress> addresses = new HashMap<>();
            for (io.gannet.bgp.session.PeerStatus s : speaker.peers()) {
                addresses.put(s.name(), s.address());
            }
            RouteView r = speaker.routes().route(RouteMapping.prefix(prefix));
            if (r == null) {
                throw ControlException.unknownPrefix(prefix);
            }
            List<CandidatePath> paths = new ArrayList<>();
            for (PathView p : r.paths()) {
                String lost = p.lostAt() == null ? null : BestPathWords.lost(p.lostAt());
                paths.add(RouteMapping.candidate(p, addresses.get(p.peer()), lost));
            }
            return new RouteDetail(prefix, paths, r.reason() == null ? null : BestPathWords.won(r.reason()));
        });
    }

    @Override
    public List<BfdSessionStatus> bfdSessions() {
        return bfd.sessions();
    }

    static SessionState state(io.gannet.bgp.session.SessionState s) {
        return switch (s) {
            case IDLE -> SessionState.IDLE;
            case CONNECT -> SessionState.CONNECT;
            case ACTIVE -> SessionState.ACTIVE;
            case OPEN_SENT -> SessionState.OPEN_SENT;
            case OPEN_CONFIRM -> SessionState.OPEN_CONFIRM;
            case ESTABLISHED -> SessionState.ESTABLISHED;
        };
    }

    static MessageCounts counts(io.gannet.bgp.session.MessageCounts c) {
        return new MessageCounts(c.open(), c.update(), c.notification(), c.keepalive(), c.routeRefresh());
    }
}
