package io.gannet.l4lb;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.l4lb.announce.Announcer;
import io.gannet.l4lb.announce.RouteDamper;
import io.gannet.l4lb.forward.Forwarding;
import io.gannet.l4lb.health.HealthChecker.Target;
import io.gannet.l4lb.maglev.SlotPlan;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.HealthCheckSpec;
import io.gannet.l4lb.model.Problem;
import io.gannet.l4lb.model.VipPool;
import io.gannet.l4lb.model.Readiness;
import io.gannet.l4lb.model.VipService;
import io.gannet.l4lb.model.WeightedBackend;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The L4LB's decisions, single-threaded and clock-driven: each VIP's table (Maglev over its
 * configured backends, the entries of unhealthy ones failed over to healthy ones: {@link VipTable}),
 * what the forwarding programs (that table, over the healthy backends), and when each
 * VIP address is announced (it has a healthy backend, through the {@link RouteDamper}) or
 * withdrawn (none, or the host drains). Every change is an event with a reason.
 *
 * <p>Configured is every endpoint of the Service's EndpointSlices, ready or not (the same set on
 * every LB host); healthy is a backend that passes its health check and serves by its readiness
 * ({@link VipService#serving(java.util.function.Predicate)}: ready, or terminating and serving
 * while no ready one passes its check). A readiness change thus moves only that backend's entries, exactly as
 * a failed check does.
 *
 * <p>Probed is only a backend that could take flows by its readiness ({@link #probed}: ready, or
 * terminating and serving, the fallback); one that is not ready, or terminating and no longer
 * serving, is released from the health checker and shown as "not probed" rather than with a
 * result that would go stale. When it becomes ready (or serving) again it is retained anew and
 * starts <b>down</b>: it takes new flows only after its check's {@code rise} successes in a row
 * (a check of type none at once), as HAProxy and Katran's checkers treat a server that comes
 * back; a backend the checker still probes for another VIP with the same check starts in that
 * live result instead.
 *
 * <p>Not thread-safe: {@link L4lb} owns it on its one thread; tests drive it directly with a
 * clock they move.
 */
final class L4lbCore {
    /** Subscribes to backend health (the {@link io.gannet.l4lb.health.HealthChecker}). */
    interface Health {
        boolean retain(Target t);

        void release(Target t);
    }

    enum Drain { NONE, DRAINING, DRAINED }

    private static final class Route {
        final RouteDamper damper;
        boolean announced; // what the announcer has been told
        String reason = "";

        Route(RouteDamper damper) {
            this.damper = damper;
        }
    }

    private L4lbOptions options;
    private final Forwarding forwarding;
    private final Announcer announcer;
    private final Health health;
    private final InstantSource clock;
    private final EventSink events;

    private Map<Frontend, VipService> services = new LinkedHashMap<>();
    private final Map<Target, Boolean> healthy = new HashMap<>();
    private final Map<Target, String> lastResult = new HashMap<>();
    private final Map<String, Route> routes = new HashMap<>(); // by VIP address (canonical text)
    private final Map<Frontend, VipTable> tables = new HashMap<>();
    private final Map<Frontend, Forwarding.ForwardedVip> forwarded = new HashMap<>();
    private List<Problem> problems = List.of();
    private List<Forwarding.ForwardedVip> programmed;
    private String forwardingError = "";
    private Drain drain = Drain.NONE;
    private long drainStart;
    private long drainGrace;
    private volatile List<VipStatus> snapshot = List.of();
    /**
     * After a restart over re-adopted forwarding: when this run started. Until every probed backend
     * is healthy or every check has had the time to rise ({@link #restartHoldOver}), the forwarding
     * an earlier run programmed is left as it was: programming it now, with every backend still
     * "not healthy yet", would remove the backends of established flows, which the datapath then
     * resets. -1: no hold (a fresh start, or the hold is over).
     */
    private long restartedAt;
    private boolean servicesSeen;
    /** The reason of a re-adopted frontend's row before the first list of the Services. */
    static final String HELD = "held: waiting for the first list of the Services (the Kubernetes API has not answered it yet);"
            + " the earlier run's tables serve it (re-adopted from the pinned datapath) until it has and health is known";
    /** When the first list of the Services arrived: the checks' time to rise counts from here. */
    private long servicesSeenAt;
    /** {@link Announcer#settled} has been called (once per start). */
    private boolean settled;

    L4lbCore(L4lbOptions options, Forwarding forwarding, Announcer announcer, Health health, InstantSource clock, EventSink events) {
        this.options = options;
        this.forwarding = forwarding;
        this.announcer = announcer;
        this.health = health;
        this.clock = clock;
        this.events = events;
        this.restartedAt = forwarding.restored() ? clock.millis() : -1;
    }

    /** A new desired set of VIP services (and what was refused) from the directory. */
    void setServices(List<VipService> next, List<Problem> refused) {
        Set<Target> before = targets(services.values());
        Map<Frontend, VipService> m = new LinkedHashMap<>();
        next.forEach(s -> m.put(s.frontend(), s));
        Set<Target> after = targets(m.values());
        for (Target t : after) {
            if (!before.contains(t)) {
                healthy.put(t, health.retain(t));
            }
        }
        for (Target t : before) {
            if (!after.contains(t)) {
                health.release(t);
                healthy.remove(t);
                lastResult.remove(t);
            }
        }
        Set<String> oldProblems = new HashSet<>(problems.stream().map(Problem::toString).toList());
        for (Problem p : refused) {
            if (!oldProblems.contains(p.toString())) {
                events.event("vip-input", p.where(), p.what());
            }
        }
        problems = List.copyOf(refused);
        services = m;
        if (!servicesSeen) {
            servicesSeen = true;
            servicesSeenAt = clock.millis();
        }
        reconcile();
    }

    /**
     * The profile's VIP pool, this host's VIPs or the VIP communities changed (a reload); the
     * caller then hands over the services the new pool admits ({@link #setServices}). Announced
     * VIPs are announced again when the communities changed. Returns what changed, or "" for nothing.
     */
    String setProfile(VipPool pool, List<String> profileVips, List<String> communities) {
        List<String> changes = new ArrayList<>();
        if (!pool.toString().equals(options.pool().toString())) {
            changes.add("VIP pool " + options.pool() + " -> " + pool);
        }
        if (!profileVips.equals(options.profileVips())) {
            changes.add("VIPs " + options.profileVips() + " -> " + profileVips);
        }
        boolean communitiesChanged = !communities.equals(options.communities());
        if (communitiesChanged) {
            changes.add("VIP communities " + options.communities() + " -> " + communities);
        }
        options = options.withProfile(pool, profileVips, communities);
        if (communitiesChanged) {
            for (Map.Entry<String, Route> e : routes.entrySet()) {
                if (e.getValue().announced) {
                    String prefix = hostPrefix(e.getKey());
                    try {
                        announcer.announce(prefix, communities);
                        events.event("vip-announce", prefix, "communities now " + communities);
                    } catch (RuntimeException x) {
                        e.getValue().announced = false; // announced again by the next reconcile
                        events.event("vip-announce", prefix, "failed, retrying: " + x.getMessage());
                    }
                }
            }
        }
        return String.join("; ", changes);
    }

    /** A backend's health changed (rise or fall reached). */
    void healthChanged(Target t, boolean up, String detail) {
        if (!healthy.containsKey(t)) {
            return; // released meanwhile
        }
        lastResult.put(t, detail);
        if (healthy.put(t, up) != up) {
            events.event("backend-health", t.toString(), (up ? "up" : "down") + ": " + detail);
            reconcile();
        }
    }

    /** Timers: hold times, drain grace, retries of refused announcements or forwarding writes. */
    void tick() {
        reconcile();
    }

    /**
     * Withdraws every VIP of this host now; flows already established keep their backend
     * (conntrack) for {@code grace}, after which the drain is done.
     */
    String startDrain(Duration grace) {
        if (drain == Drain.NONE) {
            drain = Drain.DRAINING;
            drainStart = clock.millis();
            drainGrace = grace.toMillis();
            events.event("drain", "vips", "withdrawing " + routes.size() + " VIPs; established flows served for "
                    + grace.toSeconds() + " s");
        }
        reconcile();
        return drain == Drain.DRAINED ? "drained" : "draining";
    }

    /** The drain's state: none, draining or drained. */
    Drain drain() {
        return drain;
    }

    /** Milliseconds of grace left (0 when not draining). */
    long drainLeft() {
        return drain == Drain.DRAINING ? Math.max(0, drainGrace - (clock.millis() - drainStart)) : 0;
    }

    List<VipStatus> snapshot() {
        return snapshot;
    }

    /** The targets to probe: backends that could take flows by their readiness, in any VIP. */
    private static Set<Target> targets(Iterable<VipService> svcs) {
        Set<Target> out = new HashSet<>();
        for (VipService s : svcs) {
            for (WeightedBackend b : s.backends()) {
                if (probed(s.readinessOf(b.backend()))) {
                    out.add(target(s, b.backend()));
                }
            }
        }
        return out;
    }

    /**
     * Whether a backend in this state is probed: ready, or terminating and serving (it takes flows
     * when no ready one is up, so its health must be known then); not ready and terminating ones
     * take none.
     */
    static boolean probed(Readiness r) {
        return r == Readiness.READY || r == Readiness.TERMINATING_SERVING;
    }

    private static Target target(VipService s, Backend b) {
        return new Target(b.address(), b.port(), s.check());
    }

    private void reconcile() {
        long now = clock.millis();
        if (drain == Drain.DRAINING && now - drainStart >= drainGrace) {
            drain = Drain.DRAINED;
            events.event("drain", "vips", "done: grace of " + drainGrace / 1000 + " s over");
        }
        // 1. tables and forwarding (a table is rebuilt only when its inputs changed: the tick
        // comes every 100 ms, and failing over many entries costs milliseconds)
        List<Forwarding.ForwardedVip> want = new ArrayList<>();
        Map<String, Boolean> addrHealthy = new HashMap<>();
        Map<Frontend, VipTable> previous = new HashMap<>(tables);
        tables.clear();
        forwarded.clear();
        int m = forwarding.tableSize();
        Map<String, Boolean> addrServing = new HashMap<>(); // some backend serving by readiness
        for (VipService s : services.values()) {
            List<WeightedBackend> up = new ArrayList<>();
            Set<Backend> upSet = new HashSet<>();
            Set<Backend> serving = s.serving();
            Set<Backend> takes = s.serving(b -> Boolean.TRUE.equals(healthy.get(target(s, b))));
            for (WeightedBackend b : s.backends()) {
                if (takes.contains(b.backend())) {
                    up.add(b);
                    upSet.add(b.backend());
                }
            }
            VipTable t = previous.get(s.frontend());
            SlotPlan plan = options.slots().plan(s.frontend().toString(), s.backends(), m);
            if (t == null || !t.builtFrom(s.backends(), plan, upSet, m)) {
                t = VipTable.build(s.backends(), plan, upSet, m);
            }
            tables.put(s.frontend(), t);
            Forwarding.ForwardedVip fv = new Forwarding.ForwardedVip(s.name(), s.frontend(), up, t);
            want.add(fv);
            forwarded.put(s.frontend(), fv);
            boolean any = up.stream().anyMatch(b -> b.weight() > 0);
            addrHealthy.merge(s.frontend().address(), any, Boolean::logicalOr);
            addrServing.merge(s.frontend().address(), s.backends().stream().anyMatch(b -> b.weight() > 0 && serving.contains(b.backend())),
                    Boolean::logicalOr);
        }
        if (restartedAt >= 0 && restartHoldOver(now)) {
            events.event("forwarding", "datapath", "health known after the restart: programming this run's tables (the earlier"
                    + " run's served until now, " + (now - restartedAt) + " ms)");
            restartedAt = -1;
        }
        if (restartedAt < 0 && !want.equals(programmed)) {
            try {
                forwarding.program(want);
                programmed = want;
                forwardingError = "";
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).equals(forwardingError)) {
                    events.event("forwarding", "datapath", "not programmed, retrying: " + e.getMessage());
                }
                forwardingError = String.valueOf(e.getMessage());
            }
        }
        // 2. routes
        boolean pendingUp = false; // a VIP with a healthy backend still held before its announcement
        for (String v : options.profileVips()) {
            addrHealthy.putIfAbsent(v.contains(":") ? Ipv6.parse(v).format() : Ipv4.format(Ipv4.parse(v)), false);
        }
        for (Map.Entry<String, Boolean> e : addrHealthy.entrySet()) {
            Route r = routes.computeIfAbsent(e.getKey(), k -> new Route(new RouteDamper(options.damper(), now)));
            boolean want4 = r.damper.update(e.getValue(), now);
            String reason;
            if (drain != Drain.NONE) {
                want4 = false;
                reason = drain == Drain.DRAINING ? "draining" : "drained";
            } else if (want4) {
                reason = "has a healthy backend";
            } else if (r.damper.suppressed()) {
                reason = "suppressed: flapping (penalty " + Math.round(r.damper.penalty(now)) + ")";
            } else if (e.getValue()) {
                reason = "healthy backend, held " + options.damper().upHold().toMillis() + " ms before announcing";
                pendingUp = true;
            } else if (!servicesSeen) {
                reason = "waiting for the first list of the Services (the Kubernetes API has not answered it yet)"
                        + (restartedAt < 0 ? "" : "; datapath: the earlier run's tables serve until it has and health is known");
            } else if (services.values().stream().noneMatch(s -> s.frontend().address().equals(e.getKey()))) {
                reason = "no Service defines this VIP";
            } else if (!addrServing.getOrDefault(e.getKey(), false)) {
                reason = "no ready backend";
            } else {
                reason = "no healthy backend";
            }
            setRoute(e.getKey(), r, want4, reason);
        }
        for (var it = routes.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!addrHealthy.containsKey(e.getKey())) {
                setRoute(e.getKey(), e.getValue(), false, "VIP no longer configured");
                if (!e.getValue().announced) {
                    it.remove();
                }
            }
        }
        if (!settled && servicesSeen && restartedAt < 0 && (!pendingUp || drain != Drain.NONE)) {
            try {
                announcer.settled();
                settled = true;
            } catch (IllegalStateException e) {
                // the speaker did not take it: again on the next tick
            }
        }
        publish();
    }

    /**
     * The restart hold is over: every probed backend is healthy, or the slowest check has had the
     * time to rise (first probe within an interval, then rise - 1 more, each up to its timeout)
     * since the first list of the Services arrived: a Kubernetes API that lists late starts the
     * checks late, and the time before it is no time to rise.
     */
    private boolean restartHoldOver(long now) {
        if (!servicesSeen) {
            return false; // the directory not read yet, or the API's first list not complete (HasSynced)
        }
        if (!healthy.isEmpty() && !healthy.containsValue(false)) {
            return true;
        }
        long longest = 0;
        for (Target t : healthy.keySet()) {
            HealthCheckSpec c = t.spec();
            longest = Math.max(longest, c.interval().toMillis() * c.rise() + c.timeout().toMillis());
        }
        return now - servicesSeenAt >= longest;
    }

    private void setRoute(String addr, Route r, boolean announce, String reason) {
        String prefix = hostPrefix(addr);
        r.reason = reason;
        if (announce == r.announced) {
            return;
        }
        try {
            if (announce) {
                announcer.announce(prefix, options.communities());
            } else {
                announcer.withdraw(prefix);
            }
            r.announced = announce;
            events.event(announce ? "vip-announce" : "vip-withdraw", prefix, reason);
        } catch (RuntimeException e) {
            events.event(announce ? "vip-announce" : "vip-withdraw", prefix, "failed, retrying: " + e.getMessage());
        }
    }

    /** A host route of the VIP's family. */
    private static String hostPrefix(String addr) {
        return addr + (addr.indexOf(':') >= 0 ? "/128" : "/32");
    }

    private void publish() {
        List<VipStatus> out = new ArrayList<>();
        Set<String> withService = new HashSet<>();
        for (VipService s : services.values()) {
            String addr = s.frontend().address();
            withService.add(addr);
            Route r = routes.get(addr);
            VipTable t = tables.get(s.frontend());
            Map<Backend, Integer> entries = new HashMap<>();
            int[] counts = t.counts();
            for (int i = 0; i < counts.length; i++) {
                entries.put(t.backends().get(i).backend(), counts[i]);
            }
            List<VipStatus.BackendStatus> bs = new ArrayList<>();
            Set<Backend> takes = s.serving(b -> Boolean.TRUE.equals(healthy.get(target(s, b))));
            boolean readyUp = s.backends().stream().anyMatch(b -> s.readinessOf(b.backend()) == Readiness.READY
                    && Boolean.TRUE.equals(healthy.get(target(s, b.backend()))));
            for (WeightedBackend b : s.backends()) {
                Target tg = target(s, b.backend());
                boolean up = Boolean.TRUE.equals(healthy.get(tg));
                Readiness ready = s.readinessOf(b.backend());
                boolean probed = healthy.containsKey(tg);
                String state = ready != Readiness.TERMINATING_SERVING ? ready.toString()
                        : takes.contains(b.backend()) ? "terminating, serving: no ready endpoint is up"
                        : readyUp ? "terminating, serving: ready endpoints are up" : "terminating, serving";
                String last = !probed ? "not probed: " + ready + " (probing starts when it is ready)"
                        : lastResult.getOrDefault(tg, up ? "ok" : "not healthy yet");
                bs.add(new VipStatus.BackendStatus(b.backend().toString(), b.weight(), state, probed, up, takes.contains(b.backend()),
                        last, entries.getOrDefault(b.backend(), 0)));
            }
            out.add(new VipStatus(addr, s.frontend().toString(), s.name(), routeState(r),
                    r == null ? "" : r.reason + (forwardingError.isEmpty() ? "" : "; datapath: " + forwardingError)
                            + (restartedAt < 0 ? "" : "; datapath: the earlier run's tables serve until health is known after the restart"),
                    t.fingerprint(), t.entries().length, t.plan() + ", " + options.slots().describe(), s.check().describe(), forwarding.pathOf(forwarded.get(s.frontend())), bs));
        }
        if (!servicesSeen && restartedAt >= 0) {
            // Before the first list nothing is known of the Services, but the tables an earlier run
            // pinned serve: one row per frontend the forwarding re-adopted shows what is served.
            for (Forwarding.AdoptedVip a : forwarding.adopted()) {
                String addr = a.frontend().address();
                withService.add(addr);
                Route r = routes.get(addr);
                List<VipStatus.BackendStatus> bs = new ArrayList<>();
                for (Backend b : a.backends()) {
                    bs.add(new VipStatus.BackendStatus(b.toString(), 0, "re-adopted: weight and health unknown until the first list",
                            false, false, true, "not probed before the first list of the Services", a.tableEntries().getOrDefault(b, 0)));
                }
                out.add(new VipStatus(addr, a.frontend().toString(), "-", r != null && r.announced ? routeState(r) : "held",
                        HELD + (forwardingError.isEmpty() ? "" : "; datapath: " + forwardingError), "-", forwarding.tableSize(), "",
                        "not probed before the first list of the Services", "", bs));
            }
        }
        for (Map.Entry<String, Route> e : routes.entrySet()) {
            if (!withService.contains(e.getKey())) {
                out.add(new VipStatus(e.getKey(), "", "", routeState(e.getValue()), e.getValue().reason,
                        VipTable.EMPTY, 0, "", "", "", List.of()));
            }
        }
        for (Problem p : problems) {
            out.add(new VipStatus("-", "", p.where(), "refused", p.what(), "", 0, "", "", "", List.of()));
        }
        out.sort((a, b) -> {
            int c = a.vip().equals("-") || b.vip().equals("-") ? Boolean.compare(a.vip().equals("-"), b.vip().equals("-"))
                    : compareAddresses(a.vip(), b.vip());
            return c != 0 ? c : a.frontend().compareTo(b.frontend());
        });
        snapshot = List.copyOf(out);
    }

    /** IPv4 VIPs first, then IPv6, each in numeric order. */
    private static int compareAddresses(String a, String b) {
        boolean a6 = a.indexOf(':') >= 0;
        boolean b6 = b.indexOf(':') >= 0;
        if (a6 != b6) {
            return a6 ? 1 : -1;
        }
        return a6 ? Ipv6.parse(a).compareTo(Ipv6.parse(b)) : Integer.compareUnsigned(Ipv4.parse(a), Ipv4.parse(b));
    }

    private String routeState(Route r) {
        if (r == null) {
            return "withdrawn";
        }
        if (drain != Drain.NONE) {
            return drain == Drain.DRAINING ? "draining" : "drained";
        }
        if (r.announced) {
            return "announced";
        }
        return r.damper.suppressed() ? "suppressed" : "withdrawn";
    }
}
