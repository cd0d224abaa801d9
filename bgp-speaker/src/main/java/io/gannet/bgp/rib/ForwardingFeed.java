package io.gannet.bgp.rib;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Feeds the RIB's selection to a forwarding table (the kernel's, through pod-routing's
 * KernelRoutes): for every prefix whose best path or ECMP set changed, the next hops of the
 * paths learned from peers (originated routes are not forwarded anywhere: empty = withdrawn).
 *
 * <p>Threads: everything runs on the speaker loop. {@link #changed} (the {@link RouteListener})
 * only records the prefix and, once per burst, schedules {@link #drain} behind the loop's
 * current work, so a burst of UPDATEs read together becomes one batch for the sink. The sink
 * must not block (it queues to its own thread).
 */
public final class ForwardingFeed implements RouteListener {
    /** A prefix and its next hops now; no next hops = remove the prefix from forwarding. */
    public record Change(InetAddress address, int length, List<InetAddress> nextHops) {}

    private final Rib rib;
    private final Executor loop;
    private final Consumer<List<Change>> sink;
    private final LinkedHashSet<Prefix> dirty = new LinkedHashSet<>();
    private final PathAttributes[] pathScratch;
    private final int[] interfaceScratch;
    /** IPv4 next hops and ECMP sets seen, so a full table shares a few objects (bounded: cleared when full). */
    private final Map<Integer, InetAddress> nextHops4 = new HashMap<>();
    private final Map<List<InetAddress>, List<InetAddress>> sets = new HashMap<>();
    private static final int CACHE_LIMIT = 4096;
    private boolean scheduled;

    private ForwardingFeed(Rib rib, Executor loop, Consumer<List<Change>> sink) {
        this.rib = rib;
        this.loop = loop;
        this.sink = sink;
        this.pathScratch = new PathAttributes[Math.max(1, rib.maxPaths())];
        this.interfaceScratch = new int[pathScratch.length];
    }

    /**
     * Registers the feed as the RIB's listener and sends the current selection as the first
     * batch. Call on the speaker loop.
     */
    public static ForwardingFeed attach(Rib rib, Executor loop, Consumer<List<Change>> sink) {
        ForwardingFeed f = new ForwardingFeed(rib, loop, sink);
        rib.listen(f);
        for (AddressFamily family : List.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)) {
            for (RibViews.RouteView v : rib.routes(family)) {
                f.dirty.add(v.prefix());
            }
        }
        f.drain();
        return f;
    }

    @Override
    public void changed(boolean ipv6, long hi, long lo, int length, int paths) {
        dirty.add(ipv6 ? Prefix.ipv6(hi, lo, length) : Prefix.ipv4((int) hi, length));
        if (!scheduled) {
            scheduled = true;
            loop.execute(this::drain);
        }
    }

    /** Reads the selection of every recorded prefix and hands the batch to the sink. */
    void drain() {
        scheduled = false;
        if (dirty.isEmpty()) {
            return;
        }
        List<Change> out = new ArrayList<>(dirty.size());
        for (Prefix p : dirty) {
            out.add(new Change(p.address(), p.length(), nextHops(p)));
        }
        dirty.clear();
        sink.accept(out);
    }

    /**
     * The distinct next hops of the prefix's ECMP set, best path first; the same list object for
     * the same set (a table of a million prefixes usually has a handful of sets).
     */
    private List<InetAddress> nextHops(Prefix p) {
        int n = rib.forwardingPaths(p, pathScratch, interfaceScratch);
        if (n <= 0) {
            return List.of();
        }
        List<InetAddress> hops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetAddress nh = nextHop(p.ipv6(), pathScratch[i], interfaceScratch[i]);
            pathScratch[i] = null;
            if (nh != null && !hops.contains(nh)) {
                hops.add(nh);
            }
        }
        if (sets.size() >= CACHE_LIMIT) {
            sets.clear();
        }
        return sets.computeIfAbsent(hops, List::copyOf);
    }

    /**
     * The route's next hop: an IPv4 route's own, or its IPv6 one (RFC 8950); an IPv6 route's
     * global one. A link-local next hop (an unnumbered session sends only that) is scoped to the
     * interface of the session it came over ({@code sessionInterface}), or dropped without one.
     */
    private InetAddress nextHop(boolean ipv6, PathAttributes a, int sessionInterface) {
        if (a.has(PathAttributes.HAS_NEXT_HOP6) && (ipv6 || !a.has(PathAttributes.HAS_NEXT_HOP))) {
            byte[] b = a.nextHop6();
            InetAddress first = b.length >= 16 ? address(Arrays.copyOf(b, 16)) : null;
            if (first == null || !first.isLinkLocalAddress()) {
                return first;
            }
            if (sessionInterface == 0) {
                return null; // a link-local next hop from a session not on a link: unusable
            }
            try {
                return java.net.Inet6Address.getByAddress(null, first.getAddress(), sessionInterface);
            } catch (UnknownHostException e) {
                return null; // not reached: 16 octets
            }
        }
        if (!ipv6 && a.has(PathAttributes.HAS_NEXT_HOP)) {
            int v = a.nextHop();
            InetAddress cached = nextHops4.get(v);
            if (cached == null) {
                if (nextHops4.size() >= CACHE_LIMIT) {
                    nextHops4.clear();
                }
                cached = address(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
                nextHops4.put(v, cached);
            }
            return cached;
        }
        return null;
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null; // only for a wrong length, which the callers rule out
        }
    }
}
