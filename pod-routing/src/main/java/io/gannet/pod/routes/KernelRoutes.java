package io.gannet.pod.routes;

import io.gannet.linux.LibC;
import io.gannet.linux.netlink.NetlinkSocket;
import io.gannet.linux.netlink.NextHop;
import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.Route;
import io.gannet.linux.netlink.RouteType;
import io.gannet.linux.netlink.RtNetlink;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel routes Gannet owns in one table, kept equal to what the node's sources want. See
 * the package comment for threads and ownership.
 *
 * <p>Precedence for one prefix: a pod route (the node itself attached that address) beats the
 * node's block route, which beats a BGP route.
 */
public final class KernelRoutes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelRoutes.class);

    /** Gannet's rtm_protocol: unassigned in /etc/iproute2/rt_protos (BIRD is 12, zebra 11, bgp 186). */
    public static final int PROTOCOL = 201;

    /** How routes are written. */
    public record Options(int table, Duration batchWindow) {
        public static Options defaults() {
            return new Options(254, Duration.ofMillis(5));
        }

        public Options withTable(int t) {
            return new Options(t, batchWindow);
        }

        public Options withBatchWindow(Duration d) {
            return new Options(table, d);
        }
    }

    /** A route BGP selected: the best path or ECMP set's next hops; empty = withdrawn. */
    public record BgpRoute(Prefix prefix, List<InetAddress> nextHops) {}

    private enum Source { POD, BLOCK, BGP }

    private record Change(Source source, Prefix prefix, Route route) {}

    private final RtNetlink netlink;
    private final Options options;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Map<Prefix, Route> pods = new HashMap<>();
    private final Map<Prefix, Route> blocks = new HashMap<>();
    private final Map<Prefix, Route> bgp = new HashMap<>();
    /** What this object believes is in the kernel (protocol 201, our table). */
    private final Map<Prefix, Route> installed = new HashMap<>();
    /** Gannet routes found at start that no source has claimed yet (graceful restart keeps them). */
    private final Set<Prefix> leftovers = new HashSet<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile Consumer<String> errorLog = s -> LOG.warn("{}", s);
    private volatile boolean closed;

    private KernelRoutes(RtNetlink netlink, Options options) {
        this.netlink = netlink;
        this.options = options;
        this.thread = Thread.ofPlatform().name("gannet-routes").daemon(true).unstarted(this::run);
    }

    /**
     * Starts the owner thread on {@code netlink} (closed with this object). Gannet routes
     * already in the table are adopted: kept until the sources have spoken ({@link
     * #podsRestored}, {@link #bgpConverged}), then removed if nobody wants them.
     */
    public static KernelRoutes start(RtNetlink netlink, Options options) {
        KernelRoutes k = new KernelRoutes(netlink, options);
        for (int family : new int[] {LibC.AF_INET, LibC.AF_INET6}) {
            for (Route r : netlink.routes().dump(family, options.table(), PROTOCOL)) {
                k.installed.put(r.dst(), r);
                k.leftovers.add(r.dst());
            }
        }
        LOG.info("kernel routes: {} Gannet routes (proto {}) found in table {}", k.installed.size(), PROTOCOL, options.table());
        k.thread.start();
        return k;
    }

    /** Where refused writes are reported (the daemon's event log); by default the module log. */
    public void onError(Consumer<String> sink) {
        this.errorLog = sink;
    }

    /** A host route to a pod's address through its host-side veth. */
    public void podUp(InetAddress podIp, int hostIfindex) {
        Prefix p = Prefix.of(podIp, podIp.getAddress().length * 8);
        queue.add(new Change(Source.POD, p, Route.unicast(p, options.table(), PROTOCOL, List.of(NextHop.dev(hostIfindex)))));
    }

    public void podDown(InetAddress podIp) {
        queue.add(new Change(Source.POD, Prefix.of(podIp, podIp.getAddress().length * 8), null));
    }

    /** The node's own pod block: unreachable except where a pod route is more specific. */
    public void nodeBlock(Prefix block) {
        queue.add(new Change(Source.BLOCK, block, Route.unreachable(block, options.table(), PROTOCOL)));
    }

    /** BGP's selection for some prefixes (called from the speaker loop; never blocks). */
    public void bgp(List<BgpRoute> changes) {
        List<Change> batch = new ArrayList<>(changes.size());
        List<InetAddress> lastIn = null;
        List<NextHop> lastOut = null;
        for (BgpRoute r : changes) {
            Route route = null;
            if (!r.nextHops().isEmpty()) {
                // The feed hands the same list object for the same ECMP set: one next-hop list for all of them.
                if (r.nextHops() != lastIn) {
                    List<NextHop> hops = new ArrayList<>(r.nextHops().size());
                    for (InetAddress nh : r.nextHops()) {
                        hops.add(NextHop.via(nh));
                    }
                    lastIn = r.nextHops();
                    lastOut = List.copyOf(hops);
                }
                route = Route.unicast(r.prefix(), options.table(), PROTOCOL, lastOut);
            }
            batch.add(new Change(Source.BGP, r.prefix(), route));
        }
        queue.add(batch);
    }

    /** Every pod the node had before a restart has been re-announced (podUp): unclaimed pod routes may go. */
    public void podsRestored() {
        queue.add(Marker.PODS_RESTORED);
    }

    /**
     * The RIB has re-converged after a (graceful) restart: BGP routes left from the previous
     * daemon that BGP no longer selects are removed now, not before.
     */
    public void bgpConverged() {
        queue.add(Marker.BGP_CONVERGED);
    }

    /** Waits until every change handed in so far is in the kernel (tests, shutdown). */
    public void flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(done);
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("kernel routes did not flush: " + e.getMessage(), e);
        }
    }

    /** Routes written (replaced or deleted) since start. */
    public long writes() {
        return writes.get();
    }

    /** Writes the kernel refused since start. */
    public long failures() {
        return failures.get();
    }

    private enum Marker { PODS_RESTORED, BGP_CONVERGED }

    private boolean podsRestored;
    private boolean bgpConverged;
    private final Map<Prefix, Route> dirty = new LinkedHashMap<>();
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

    private void run() {
        long windowNanos = options.batchWindow().toNanos();
        while (!closed) {
            try {
                Object first = queue.take();
                take(first);
                long deadline = System.nanoTime() + windowNanos;
                // A caller waiting in flush() (a CNI ADD or DEL) ends the window at once.
                while (waiting.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    Object next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    take(next);
                }
                write();
                waiting.forEach(f -> f.complete(null));
                waiting.clear();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                errorLog.accept("kernel routes: " + e.getMessage());
                waiting.forEach(f -> f.completeExceptionally(e));
                waiting.clear();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void take(Object o) {
        if (o instanceof Change c) {
            apply(c);
        } else if (o instanceof List<?> l) {
            for (Change c : (List<Change>) l) {
                apply(c);
            }
        } else if (o == Marker.PODS_RESTORED) {
            podsRestored = true;
            sweepLeftovers();
        } else if (o == Marker.BGP_CONVERGED) {
            bgpConverged = true;
            sweepLeftovers();
        } else if (o instanceof CompletableFuture<?> f) {
            waiting.add((CompletableFuture<Void>) f);
        }
    }

    private void apply(Change c) {
        Map<Prefix, Route> m = switch (c.source()) {
            case POD -> pods;
            case BLOCK -> blocks;
            case BGP -> bgp;
        };
        if (c.route() == null) {
            m.remove(c.prefix());
        } else {
            m.put(c.prefix(), c.route());
        }
        leftovers.remove(c.prefix());
        dirty.put(c.prefix(), wanted(c.prefix()));
    }

    private Route wanted(Prefix p) {
        Route r = pods.get(p);
        if (r == null) {
            r = blocks.get(p);
        }
        if (r == null) {
            r = bgp.get(p);
        }
        return r;
    }

    /** Leftover routes: pod and block routes go once pods are restored, others once BGP converged. */
    private void sweepLeftovers() {
        for (var it = leftovers.iterator(); it.hasNext(); ) {
            Prefix p = it.next();
            Route r = installed.get(p);
            boolean local = r != null && (r.type() == RouteType.UNREACHABLE
                    || r.nextHops().stream().allMatch(h -> h.gateway() == null));
            if ((local && podsRestored) || (!local && bgpConverged)) {
                it.remove();
                dirty.put(p, wanted(p));
            }
        }
    }

    private void write() {
        if (dirty.isEmpty()) {
            return;
        }
        List<Route> upserts = new ArrayList<>();
        List<Route> deletes = new ArrayList<>();
        for (Map.Entry<Prefix, Route> e : dirty.entrySet()) {
            Route want = e.getValue();
            Route have = installed.get(e.getKey());
            if (want == null) {
                if (have != null) {
                    deletes.add(have);
                }
            } else if (!want.equals(have)) {
                upserts.add(want);
            }
        }
        dirty.clear();
        if (upserts.isEmpty() && deletes.isEmpty()) {
            return;
        }
        List<NetlinkSocket.Failure> refused = netlink.routes().apply(upserts, deletes);
        Set<Integer> bad = new HashSet<>();
        for (NetlinkSocket.Failure f : refused) {
            bad.add(f.index());
            failures.incrementAndGet();
            errorLog.accept("kernel route not written: " + f.error().getMessage());
        }
        for (int i = 0; i < deletes.size(); i++) {
            if (!bad.contains(i)) {
                installed.remove(deletes.get(i).dst());
            }
        }
        for (int i = 0; i < upserts.size(); i++) {
            if (!bad.contains(deletes.size() + i)) {
                installed.put(upserts.get(i).dst(), upserts.get(i));
            }
        }
        writes.addAndGet(upserts.size() + deletes.size() - refused.size());
    }

    /** Stops the thread; routes stay in the kernel (a restarted daemon adopts them). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        netlink.close();
    }
}
