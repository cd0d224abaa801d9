package io.gannet.agent.run;

import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.lb.Frontend;
import io.gannet.linux.LibC;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.pod.routes.KernelRoutes;
import io.gannet.topology.net.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a starting daemon is the restarting speaker of RFC 4724, and for which address families
 * its forwarding state survived, decided before any session starts.
 *
 * <p>The state directory's record ({@link RestartMarker}) decides when it has one: an earlier run
 * that left without a Cease makes this one restarting with every family's forwarding kept (as
 * before); one that stopped cleanly does not (its peers flushed its routes). With no record (a
 * first start, or a fresh state directory over a host whose bpffs and routes survived: a container
 * whose state directory is an emptyDir while /sys/fs/bpf is a host mount) the forwarding state
 * itself decides:
 * <ul>
 *   <li>the pinned datapath this run re-adopts: on an L4LB host, the VIP frontends of this host's
 *       VIP pool an earlier run programmed (they go on serving until this run knows its backends'
 *       health);</li>
 *   <li>the kernel routes an earlier run installed with Gannet's protocol ({@link KernelRoutes#PROTOCOL}),
 *       when this run takes them over (--fib, or the CNI backend's pod routes).</li>
 * </ul>
 * Any of them makes the daemon restarting (R bit, RFC 4724 section 3: "the BGP speaker has
 * restarted"), with the Forwarding State bit set for the families that evidence covers only: a
 * helper keeps a family's stale routes until our End-of-RIB only with F set (section 4.2; FRR's
 * bgp_establish clears every family whose F bit is clear at once), and F for a family whose
 * forwarding did not survive would blackhole its traffic until then. Nothing at all: a first
 * start, not restarting.
 */
final class RestartEvidence {
    private RestartEvidence() {}

    /** @param why one line for the log: what decided it */
    record Decision(boolean restarting, Set<AddressFamily> forwardingKept, String why) {
        Decision {
            forwardingKept = Set.copyOf(forwardingKept);
        }
    }

    /**
     * What survived the earlier run.
     *
     * @param pinRoot the pin root this run re-adopts, or null (no datapath VIPs are looked at)
     * @param vips    the VIP frontends of this host pinned there
     * @param routesRead the kernel routes were looked at (this run takes them over)
     * @param routes  Gannet's kernel routes by family (only families with some)
     * @param notes   evidence that could not be read, and why
     */
    record Evidence(Path pinRoot, List<Frontend> vips, boolean routesRead, Map<AddressFamily, Integer> routes, List<String> notes) {
        static final Evidence NONE = new Evidence(null, List.of(), false, Map.of(), List.of());

        Evidence {
            vips = List.copyOf(vips);
            routes = Map.copyOf(routes);
            notes = List.copyOf(notes);
        }
    }

    /** Pure: the decision from the state directory's record and the evidence (read only when there is no record). */
    static Decision decide(RestartMarker.Record record, Path stateDir, Evidence e) {
        switch (record) {
            case LEFT_ROUTES -> {
                return new Decision(true, SpeakerOptions.EVERY_FAMILY, "the state directory " + stateDir
                        + " says the earlier run left without a Cease (" + RestartMarker.FILE + "): its peers hold its routes");
            }
            case STOPPED_CLEANLY -> {
                return new Decision(false, Set.of(), "not restarting: the earlier run stopped with a Cease to every peer ("
                        + stateDir.resolve(RestartMarker.STOPPED) + "), they flushed its routes");
            }
            default -> { }
        }
        String record0 = record == RestartMarker.Record.REBOOTED
                ? "the restart record in " + stateDir + " is from an earlier boot (its routes and pins went with that kernel)"
                : "no restart record in " + stateDir;
        Set<AddressFamily> kept = new java.util.HashSet<>();
        List<String> found = new ArrayList<>();
        if (!e.vips().isEmpty()) {
            e.vips().forEach(f -> kept.add(f.ipv6() ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST));
            List<String> names = e.vips().stream().map(Frontend::toString).sorted().toList();
            found.add(e.vips().size() + " VIP frontend(s) of this host pinned under " + e.pinRoot() + " ("
                    + String.join(", ", names.subList(0, Math.min(4, names.size()))) + (names.size() > 4 ? ", ..." : "")
                    + "), re-adopted and still serving");
        }
        e.routes().forEach((af, n) -> {
            if (n > 0) {
                kept.add(af);
                found.add(n + " " + (af.isIpv4() ? "IPv4" : "IPv6") + " kernel route(s) with Gannet's protocol " + KernelRoutes.PROTOCOL);
            }
        });
        String notes = e.notes().isEmpty() ? "" : " (" + String.join("; ", e.notes()) + ")";
        if (kept.isEmpty()) {
            List<String> none = new ArrayList<>();
            if (e.pinRoot() != null) {
                none.add("no VIP pinned under " + e.pinRoot());
            }
            if (e.routesRead()) {
                none.add("no kernel route with Gannet's protocol " + KernelRoutes.PROTOCOL);
            }
            if (none.isEmpty()) {
                none.add("this run re-adopts no forwarding state (no L4LB datapath, no --fib or pod routes)");
            }
            return new Decision(false, Set.of(), (record == RestartMarker.Record.REBOOTED ? "not restarting: " : "first start: ")
                    + record0 + ", " + String.join(", ", none) + notes);
        }
        Set<String> families = new TreeSet<>(kept.stream().map(AddressFamily::toString).toList());
        return new Decision(true, kept, record0 + (record == RestartMarker.Record.NONE ? " (a fresh state directory)" : "") + ", but the earlier run's"
                + " forwarding state survived: " + String.join(", ", found) + "; forwarding kept for " + families + notes);
    }

    /**
     * Reads the evidence: the VIP frontends of {@code vipPool} pinned under {@code pinRoot} (null:
     * this run re-adopts no L4LB datapath) and, through {@code netlink} (null: this run takes over no
     * kernel routes), Gannet's routes in the main table. What cannot be read is a note, not a
     * failure (the datapath's and the routes' own start report it properly).
     */
    static Evidence gather(List<Cidr> vipPool, Path pinRoot, java.util.function.Supplier<RtNetlink> netlink) {
        List<Frontend> vips = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (pinRoot != null) {
            try {
                for (Frontend f : Datapath.pinnedFrontends(pinRoot)) {
                    if (inPool(vipPool, f)) {
                        vips.add(f);
                    }
                }
            } catch (RuntimeException ex) {
                notes.add("pinned datapath under " + pinRoot + " not read: " + ex.getMessage());
            }
        }
        Map<AddressFamily, Integer> routes = new LinkedHashMap<>();
        if (netlink != null) {
            try (RtNetlink nl = netlink.get()) {
                int main = KernelRoutes.Options.defaults().table();
                int v4 = nl.routes().dump(LibC.AF_INET, main, KernelRoutes.PROTOCOL).size();
                int v6 = nl.routes().dump(LibC.AF_INET6, main, KernelRoutes.PROTOCOL).size();
                if (v4 > 0) {
                    routes.put(AddressFamily.IPV4_UNICAST, v4);
                }
                if (v6 > 0) {
                    routes.put(AddressFamily.IPV6_UNICAST, v6);
                }
            } catch (RuntimeException ex) {
                notes.add("kernel routes not read: " + ex.getMessage());
            }
        }
        return new Evidence(pinRoot, vips, netlink != null, routes, notes);
    }

    private static boolean inPool(List<Cidr> vipPool, Frontend f) {
        InetAddress a;
        try {
            a = InetAddress.getByName(f.address()); // a literal: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
        for (Cidr c : vipPool) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
