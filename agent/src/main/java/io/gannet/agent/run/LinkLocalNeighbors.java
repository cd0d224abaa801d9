package io.gannet.agent.run;

import io.gannet.agent.logging.EventLog;
import io.gannet.linux.RouterAdvertisements;
import io.gannet.linux.SysException;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unnumbered peering (a switch given by {@code interface} in the profile): on each such
 * interface, sends IPv6 Router Advertisements (so the switch, as FRR's {@code neighbor IF
 * interface} does, learns our link-local address) and learns the switch's link-local address
 * from its own (asking with a Router Solicitation first). {@link #resolve} gives the host's
 * configuration with each unnumbered neighbor at its learned address, or without it while none
 * is known; {@code changed} runs when an address is learned or changes. One thread per
 * interface, off the BGP loop.
 *
 * <p>The link is point to point: the first advertiser is the switch, and another one is taken
 * only after it was silent for {@link #SILENT_NANOS} (a replaced switch).
 */
final class LinkLocalNeighbors implements AutoCloseable {
    /** Our advertisements: three a second apart at start, then every ten seconds (FRR's interval for BGP unnumbered). */
    static final long FIRST_INTERVAL_NANOS = 1_000_000_000L;
    static final long INTERVAL_NANOS = 10_000_000_000L;
    static final long SILENT_NANOS = 35_000_000_000L;
    private static final long RETRY_MILLIS = 5_000;
    private static final long QUIET_NANOS = 5_000_000_000L;

    private final EventLog log;
    private final Runnable changed;
    private final Map<String, Thread> watchers = new HashMap<>();
    private final Map<String, Learned> learned = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private record Learned(Inet6Address address, long heardAt) {}

    LinkLocalNeighbors(EventLog log, Runnable changed) {
        this.log = log;
        this.changed = changed;
    }

    /** Watches exactly the interfaces of {@code node}'s unnumbered neighbors (starts and stops threads). */
    synchronized void watch(NodeConfig node) {
        Set<String> wanted = new LinkedHashSet<>();
        node.neighbors().stream().filter(NeighborConfig::unnumbered).forEach(n -> wanted.add(n.interfaceName()));
        for (String gone : new ArrayList<>(watchers.keySet())) {
            if (!wanted.contains(gone)) {
                watchers.remove(gone).interrupt();
                learned.remove(gone);
            }
        }
        for (String iface : wanted) {
            if (!watchers.containsKey(iface)) {
                Thread t = Thread.ofPlatform().daemon().name("gannet-ra-" + iface).unstarted(() -> run(iface));
                watchers.put(iface, t);
                t.start();
            }
        }
    }

    /** {@code node} with each unnumbered neighbor at its switch's learned link-local address; unknown ones left out. */
    NodeConfig resolve(NodeConfig node) {
        List<NeighborConfig> out = new ArrayList<>();
        for (NeighborConfig n : node.neighbors()) {
            if (!n.unnumbered()) {
                out.add(n);
                continue;
            }
            Learned l = learned.get(n.interfaceName());
            if (l != null) {
                out.add(n.at(l.address()));
            }
        }
        return out.equals(node.neighbors()) ? node : node.withNeighbors(out);
    }

    /** {@code node}'s unnumbered neighbors whose switch has not advertised yet (no session yet). */
    List<NeighborConfig> pending(NodeConfig node) {
        return node.neighbors().stream().filter(n -> n.unnumbered() && !learned.containsKey(n.interfaceName())).toList();
    }

    private void run(String iface) {
        boolean reported = false;
        long failingSince = 0;
        while (running && !Thread.currentThread().isInterrupted()) {
            try (RouterAdvertisements ra = RouterAdvertisements.open(iface)) {
                if (reported) {
                    log.operatorAction("unnumbered", iface, "router advertisements running again");
                }
                reported = false;
                failingSince = 0;
                exchange(iface, ra);
            } catch (SysException e) {
                // A link just up has no usable link-local address until duplicate address detection
                // is over (EADDRNOTAVAIL for about a second): retried quietly at first.
                long now = System.nanoTime();
                failingSince = failingSince == 0 ? now : failingSince;
                if (!reported && now - failingSince > QUIET_NANOS) {
                    log.operatorAction("unnumbered", iface, "no router advertisements on " + iface + " (" + e.getMessage()
                            + "); the unnumbered session waits; retrying every " + RETRY_MILLIS / 1000 + " s");
                    reported = true;
                }
                try {
                    Thread.sleep(now - failingSince > QUIET_NANOS ? RETRY_MILLIS : 250);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void exchange(String iface, RouterAdvertisements ra) {
        ra.solicit();
        int sent = 0;
        long nextSend = System.nanoTime();
        while (running && !Thread.currentThread().isInterrupted()) {
            long now = System.nanoTime();
            if (now - nextSend >= 0) {
                ra.send();
                sent++;
                nextSend = now + (sent < 3 ? FIRST_INTERVAL_NANOS : INTERVAL_NANOS);
            }
            Inet6Address from = ra.receive(250);
            if (from == null || Thread.currentThread().isInterrupted()) {
                continue; // (an interface no longer watched learns nothing more: the loop ends)
            }
            now = System.nanoTime();
            Learned before = learned.get(iface);
            if (before != null && before.address().equals(from)) {
                learned.put(iface, new Learned(from, now));
            } else if (before == null || now - before.heardAt() > SILENT_NANOS) {
                learned.put(iface, new Learned(from, now));
                log.operatorAction("unnumbered", iface, "switch at " + from.getHostAddress()
                        + (before == null ? "" : " (was " + before.address().getHostAddress() + ", silent since)"));
                changed.run();
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        watchers.values().forEach(Thread::interrupt);
        watchers.clear();
    }
}
