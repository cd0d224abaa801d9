package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * TEST FIXTURE, not a daemon: an in-memory {@link DaemonView} and {@link DaemonControl} with a
 * few peers, routes and BFD sessions, standing in for {@code gannet run} until the speaker
 * lands. It keeps a log of the commands it executed and a state fingerprint, so tests can
 * assert that a rejected request changed nothing.
 */
public final class FixtureDaemon implements DaemonView, DaemonControl {
    public static final long T0 = 1_763_800_000_000L;

    private final Map<String, PeerStatus> peers = new TreeMap<>();
    private final Map<IpPrefix, List<RouteEntry>> learned = new TreeMap<>(Comparator.comparing(IpPrefix::toString));
    private final Map<IpPrefix, Announcement> originated = new TreeMap<>(Comparator.comparing(IpPrefix::toString));
    private final List<BfdSessionStatus> bfd = new ArrayList<>();
    private final List<String> executed = new ArrayList<>();
    private boolean vipsAvailable;

    /** Two peers (tor1 established with BFD up, tor2 idle with an error), three prefixes, one BFD session. */
    public static FixtureDaemon standard() {
        FixtureDaemon d = new FixtureDaemon();
        d.addPeer(peer("tor1", "192.0.2.1", 65001, SessionState.ESTABLISHED, BfdState.UP, null, 3, 3, 1, 2));
        d.addPeer(peer("tor2", "2001:db8::2", 65002, SessionState.IDLE, BfdState.DOWN,
                "hold timer expired", 0, 0, 0, 5));
        IpPrefix p1 = IpPrefix.parse("10.1.0.0/24");
        d.learned.put(p1, List.of(
                route(p1, "192.0.2.1", "tor1", 200L, true, true, List.of(65001L, 65100L)),
                route(p1, "192.0.2.9", "tor9", 100L, false, false, List.of(65009L, 65100L))));
        IpPrefix p2 = IpPrefix.parse("10.2.0.0/16");
        d.learned.put(p2, List.of(route(p2, "192.0.2.1", "tor1", 100L, true, false, List.of(65001L))));
        IpPrefix p3 = IpPrefix.parse("2001:db8:100::/48");
        d.learned.put(p3, List.of(route(p3, "2001:db8::2", "tor2", null, true, false, List.of(65002L))));
        d.bfd.add(new BfdSessionStatus(ip("192.0.2.1"), ip("192.0.2.100"), "eth0", false, BfdState.UP, BfdState.UP,
                T0 + 1000, "No Diagnostic", 300_000, 300_000, 3, 1, 1, List.of("tor1")));
        return d;
    }

    /** {@code n} established peers, for the 1,000-session benchmark. */
    public static FixtureDaemon withPeers(int n) {
        FixtureDaemon d = new FixtureDaemon();
        for (int i = 0; i < n; i++) {
            String addr = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            d.addPeer(peer(String.format("peer%04d", i), addr, 64512 + i, SessionState.ESTABLISHED, BfdState.UP,
                    null, 100_000 + i, 99_000 + i, 5, i % 7));
        }
        return d;
    }

    static PeerStatus peer(String name, String address, long as, SessionState state, BfdState bfdState, String lastError,
                           long received, long accepted, long advertised, long flaps) {
        return new PeerStatus(name, ip(address), as, 65000, state, false, T0, received, accepted, advertised, bfdState,
                lastError, new MessageCounts(1, 40, 0, 300, 0), new MessageCounts(1, 12, 1, 301, 0), flaps);
    }

    static RouteEntry route(IpPrefix p, String nextHop, String from, Long localPref, boolean best, boolean ecmp, List<Long> path) {
        return new RouteEntry(p, List.of(ip(nextHop)), List.of(new AsPathSegment(AsPathSegment.Type.SEQUENCE, path)),
                Origin.IGP, 0L, localPref, List.of(Community.parse("65000:100")),
                List.of(LargeCommunity.parse("65000:1:2")), best, ecmp, false, from);
    }

    static InetAddress ip(String s) {
        return IpLiteral.parse(s, "address");
    }

    public synchronized void addPeer(PeerStatus p) {
        peers.put(p.name(), p);
    }

    public synchronized void makeVipsAvailable() {
        vipsAvailable = true;
    }

    /** The commands executed so far, e.g. "disable tor1 maintenance". */
    public synchronized List<String> executed() {
        return List.copyOf(executed);
    }

    /** Everything a command could change, as one comparable value. */
    public synchronized String fingerprint() {
        return peers + "|" + learned + "|" + originated + "|" + executed;
    }

    // ---- DaemonView

    @Override
    public synchronized List<PeerStatus> peers() {
        return List.copyOf(peers.values());
    }

    @Override
    public synchronized RouteList routes(RouteQuery q) {
        if (q.peer() != null) {
            requirePeer(q.peer());
        }
        List<RouteEntry> out = new ArrayList<>();
        boolean truncated = false;
        List<RouteEntry> all = new ArrayList<>();
        learned.values().forEach(all::addAll);
        for (Announcement a : originated.values()) {
            all.add(new RouteEntry(a.prefix(), a.nextHop() == null ? List.of() : List.of(a.nextHop()), List.of(),
                    a.origin(), a.med(), a.localPref(), a.communities(), a.largeCommunities(), true, false, false, null));
        }
        for (RouteEntry e : all) {
            if (!q.matchesPrefix(e) || (q.peer() != null && !q.peer().equals(e.fromPeer()))) {
                continue;
            }
            if (out.size() == q.limit()) {
                truncated = true;
                break;
            }
            out.add(e);
        }
        return new RouteList(out, truncated);
    }

    @Override
    public synchronized RouteDetail routeDetail(IpPrefix prefix) {
        List<RouteEntry> paths = learned.get(prefix);
        if (paths == null) {
            throw ControlException.unknownPrefix(prefix);
        }
        List<CandidatePath> c = new ArrayList<>();
        for (RouteEntry e : paths) {
            c.add(new CandidatePath(e.fromPeer(), e.nextHops().get(0), "1.1.1." + c.size(), e.nextHops(), e.asPath(),
                    e.origin(), e.med(), e.localPref(), e.communities(), List.of("rt:65000:1"), e.largeCommunities(),
                    false, null, null, List.of(), List.of(), e.best(), e.ecmp(), e.stale(), T0,
                    e.best() ? null : "lower LOCAL_PREF (100 < 200)"));
        }
        return new RouteDetail(prefix, c, paths.size() == 1 ? "only path" : "highest LOCAL_PREF (200)");
    }

    @Override
    public synchronized List<BfdSessionStatus> bfdSessions() {
        return List.copyOf(bfd);
    }

    @Override
    public synchronized List<Map<String, Object>> vips() {
        if (!vipsAvailable) {
            return DaemonView.super.vips();
        }
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("vip", "192.0.2.80/32");
        row.put("state", "announced");
        row.put("backends", 3);
        return List.of(row);
    }

    // ---- DaemonControl

    @Override
    public synchronized CommandResult disablePeer(String name, String message) {
        PeerStatus p = requirePeer(name);
        if (p.adminDisabled()) {
            return new CommandResult(false, "peer " + name + " is already disabled");
        }
        peers.put(name, withState(p, true));
        executed.add("disable " + name + " " + message);
        return new CommandResult(true, "peer " + name + " disabled" + (message == null ? "" : ", Cease sent: " + message));
    }

    @Override
    public synchronized CommandResult enablePeer(String name) {
        PeerStatus p = requirePeer(name);
        if (!p.adminDisabled()) {
            return new CommandResult(false, "peer " + name + " is not disabled");
        }
        peers.put(name, withState(p, false));
        executed.add("enable " + name);
        return new CommandResult(true, "peer " + name + " enabled");
    }

    @Override
    public synchronized CommandResult resetPeer(String name, String message) {
        requirePeer(name);
        executed.add("reset " + name + " " + message);
        return new CommandResult(true, "peer " + name + " reset");
    }

    @Override
    public synchronized CommandResult announce(Announcement a) {
        Announcement old = originated.put(a.prefix(), a);
        executed.add("announce " + a);
        return new CommandResult(!a.equals(old), "announced " + a.prefix());
    }

    @Override
    public synchronized CommandResult withdraw(IpPrefix prefix) {
        if (originated.remove(prefix) == null) {
            throw new ControlException(ControlException.Kind.UNKNOWN_PREFIX, prefix + " is not originated by this daemon");
        }
        executed.add("withdraw " + prefix);
        return new CommandResult(true, "withdrew " + prefix);
    }

    @Override
    public synchronized ReloadResult reload() {
        executed.add("reload");
        return new ReloadResult(List.of(
                new ReloadResult.Part("peer tor1", ReloadResult.Outcome.APPLIED, null),
                new ReloadResult.Part("router id", ReloadResult.Outcome.RESTART_REQUIRED, "router id changed")));
    }

    private PeerStatus requirePeer(String name) {
        PeerStatus p = peers.get(Objects.requireNonNull(name));
        if (p == null) {
            throw ControlException.unknownPeer(name, peers.keySet());
        }
        return p;
    }

    private static PeerStatus withState(PeerStatus p, boolean disabled) {
        return new PeerStatus(p.name(), p.address(), p.remoteAs(), p.localAs(),
                disabled ? SessionState.IDLE : SessionState.ACTIVE, disabled, T0 + 5000, 0, 0, 0, p.bfdState(),
                disabled ? "administratively disabled" : p.lastError(), p.messagesIn(), p.messagesOut(), p.flaps());
    }
}
