package io.gannet.l4lb.forward;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.lb.ApplyResult;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.MaglevTable;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.ServiceStatus;
import io.gannet.bpf.libbpf.Tc;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwarding through the eBPF datapath, DNAT with SNAT for the return path: the adapter
 * between the L4LB and today's {@code io.gannet.bpf} API (the one class to re-point when
 * the datapath's API moves).
 *
 * <p>Per packet: {@code from_host} at TC ingress of each uplink looks the VIP up, keeps an
 * established flow on its backend (conntrack), picks a new flow's backend from the VIP's
 * table (the L4LB's {@link io.gannet.l4lb.maglev.VipTable}, every host the same one) and rewrites the destination to it; the kernel
 * routes it and nftables masquerades its source to this host's address toward the backend
 * ({@link SnatRules}), so the backend's reply comes back through this host whatever its own
 * routes; the kernel undoes the masquerade, and {@code from_host} at TC egress of the uplink
 * rewrites the reply's source back to the VIP (the conntrack entry's reverse NAT).
 *
 * <p>IPv6 VIPs take the same path: the datapath's IPv6 external frontends (lib/lb6.h) keep a
 * Maglev table per frontend in the same dp_maglev4 map (keyed by rev-NAT index, one table
 * size for both families), so an IPv6 VIP's {@link ServiceSpec} is the IPv4 one's with IPv6
 * addresses; without the datapath's own SNAT (its IPv6 SNAT, lib/nodeport6.h, sends packets on
 * by FIB redirect, past nftables) the DNATed packet goes up the forwarding path like an IPv4
 * one and the {@code ip6} twin of the nftables table masquerades it. The IPv6 flow hash folds
 * each address to 32 bits (XOR of its words) before the IPv4 hash: the same on every host.
 *
 * <p>The trade-off (see the module README): backends see the LB host's address, not the
 * client's (use the access log of the LB or PROXY protocol if they need it), and a flow
 * moved to another LB host by the network (host failure, drain) reaches the same backend but
 * from another source address, so the backend resets it: only new flows survive an LB host
 * failure. DSR (IPIP, as Katran) would keep the client address and let flows survive, at the
 * cost of a tunnel device and the VIP on every backend.
 *
 * <p>Threads: called on the L4LB thread only; {@link Datapath} is synchronized anyway.
 */
public final class DatapathForwarding implements Forwarding {
    private static final Logger LOG = LoggerFactory.getLogger(DatapathForwarding.class);

    private final Datapath datapath;
    private final List<String> uplinks;
    private final SnatRules snat;
    /** "native" or "generic" when the uplinks have the XDP fast path; null: TC only. */
    private final String xdp;
    /** The datapath's form of the tables last programmed: an unchanged VIP's table is not converted again. */
    private Map<VipTable, MaglevTable> converted = new IdentityHashMap<>();

    /** The frontends the datapath re-adopted at open (an earlier run's), as they were then. */
    private final List<AdoptedVip> adopted;

    private DatapathForwarding(Datapath datapath, List<String> uplinks, SnatRules snat, String xdp, List<AdoptedVip> adopted) {
        this.datapath = datapath;
        this.adopted = List.copyOf(adopted);
        this.uplinks = List.copyOf(uplinks);
        this.snat = snat;
        this.xdp = xdp;
    }

    /**
     * Opens (or re-adopts) the datapath pinned under {@code pinRoot}, attaches
     * {@code from_host} at TC ingress and egress of each uplink and installs the SNAT table.
     */
    public static DatapathForwarding open(Path pinRoot, List<String> uplinks, String nftTable) {
        return open(DatapathOptions.defaults().withPinRoot(pinRoot), uplinks, nftTable);
    }

    /** As {@link #open(Path, List, String)}, with the datapath's options (pin root, conntrack size). */
    public static DatapathForwarding open(DatapathOptions options, List<String> uplinks, String nftTable) {
        return open(options, uplinks, nftTable, null);
    }

    /**
     * As {@link #open(DatapathOptions, List, String)}; with {@code xdp} "native" or "generic" each
     * uplink also gets the XDP fast path in that mode (a pinned XDP link, {@link Datapath#attachHostXdp}),
     * with null an XDP fast path an earlier run attached to an uplink is detached.
     *
     * <p>What XDP does for a VIP packet is what {@code from_host} does at TC (bpf lib/xdp_lb.h and
     * lib/xdp_lb6.h, the same maps): a new flow's backend from the VIP's Maglev table by the same
     * flow hash, the conntrack entries TC creates, the DNAT, then XDP_PASS; an established flow's
     * backend from that conntrack. The packet then takes the same way up the stack as one DNATed
     * at TC: the kernel forwards it, nftables masquerades it ({@link SnatRules}), and the reply is
     * restored to the VIP at TC egress. So whichever path saw a flow's first packet, the other
     * keeps it on its backend, and drains (conntrack kept, routes withdrawn) behave the same.
     * Left to TC (XDP_PASS untouched): fragments, IP options, a VIP without a healthy backend (TC
     * answers with a reset or ICMP), an established flow whose backend left (TC resets it), a
     * client that is its own backend (hairpin SNAT).
     */
    public static DatapathForwarding open(DatapathOptions options, List<String> uplinks, String nftTable, String xdp) {
        if (xdp != null && !xdp.equals("native") && !xdp.equals("generic")) {
            throw new IllegalArgumentException("XDP mode is native or generic, not " + xdp);
        }
        if (uplinks.isEmpty()) {
            throw new IllegalArgumentException("an L4LB host needs at least one --host-device (the uplink VIP traffic arrives on)");
        }
        Datapath dp = Datapath.open(options);
        try {
            for (String dev : uplinks) {
                dp.attachHost(dev);
                dp.attachProgram(dev, Tc.Direction.EGRESS, Datapath.FROM_HOST);
                if (xdp != null) {
                    dp.attachHostXdp(dev, xdp.equals("native"));
                }
            }
            for (String dev : dp.detachHostXdpExcept(xdp == null ? List.of() : uplinks)) {
                LOG.info("L4LB forwarding: XDP fast path an earlier run attached to {} detached ({})", dev,
                        xdp == null ? "no --xdp" : "not a --host-device");
            }
            SnatRules snat = new SnatRules(nftTable, uplinks);
            // the backends of the frontends an earlier run pinned stay masqueraded: they serve
            // until this run programs its own tables
            List<SnatRules.Dest> kept = new ArrayList<>();
            List<AdoptedVip> adopted = new ArrayList<>();
            for (ServiceStatus s : dp.services()) {
                for (Backend b : s.backends()) {
                    kept.add(new SnatRules.Dest(b, s.frontend().protocol()));
                }
                adopted.add(new AdoptedVip(s.frontend(), s.backends(), dp.servicesFeature().maglevEntries(s.frontend())));
            }
            snat.install(kept);
            LOG.info("L4LB forwarding: DNAT + SNAT on {}{} ({} VIP frontends re-adopted)", uplinks,
                    xdp == null ? "" : ", XDP fast path (" + xdp + ")", dp.restoredFrontends());
            return new DatapathForwarding(dp, uplinks, snat, xdp, adopted);
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    /** The datapath's packet counters by reason, summed over CPUs (for /metrics). */
    public Map<io.gannet.bpf.maps.Reason, Long> counters() {
        return datapath.metrics();
    }

    @Override
    public void program(List<ForwardedVip> vips) {
        List<SnatRules.Dest> dests = new ArrayList<>();
        for (ForwardedVip v : vips) {
            for (WeightedBackend b : v.backends()) {
                dests.add(new SnatRules.Dest(b.backend(), v.frontend().protocol()));
            }
        }
        Map<VipTable, MaglevTable> tables = new IdentityHashMap<>();
        List<ServiceSpec> specs = specs(vips, converted, tables);
        converted = tables;
        // SNAT first: a backend must be masqueraded before the first flow is sent to it
        snat.update(dests);
        ApplyResult r = datapath.applyServices(specs);
        if (r.changed()) {
            LOG.info("L4LB frontends programmed: {}", r);
        }
    }

    /**
     * The datapath's frontends for these VIPs: external, Maglev with the L4LB's own table (not
     * Maglev.table over the healthy backends: a health flap moves only the flapping backend's flows,
     * and what show vips fingerprints is what the datapath holds). {@code cache} holds tables
     * converted before (an unchanged VIP's is not converted again); {@code converted} gets this call's.
     */
    public static List<ServiceSpec> specs(List<ForwardedVip> vips, Map<VipTable, MaglevTable> cache,
            Map<VipTable, MaglevTable> converted) {
        List<ServiceSpec> specs = new ArrayList<>(vips.size());
        for (ForwardedVip v : vips) {
            List<Backend> bs = new ArrayList<>();
            Map<Backend, Integer> weights = new HashMap<>();
            for (WeightedBackend b : v.backends()) {
                bs.add(b.backend());
                weights.put(b.backend(), b.weight());
            }
            MaglevTable t = cache.get(v.table());
            if (t == null) {
                t = v.table().toMaglevTable();
            }
            converted.put(v.table(), t);
            specs.add(new ServiceSpec(v.name(), v.frontend(), true, ServiceSpec.Algorithm.MAGLEV, bs, weights).withMaglevTable(t));
        }
        return specs;
    }

    /**
     * Which program serves a VIP's packets, for {@code show vips}: with the XDP fast path every
     * L4LB VIP is served in XDP (none uses a feature XDP leaves to TC: source ranges, affinity and
     * node ports are refused on L4LB VIPs), except while it has no healthy backend.
     */
    @Override
    public String pathOf(ForwardedVip v) {
        if (xdp == null) {
            return "tc";
        }
        if (v.backends().isEmpty()) {
            return "tc: no healthy backend (TC answers new flows with a reset or ICMP)";
        }
        return "xdp " + xdp + " (fragments, IP options and flows whose backend left go to tc)";
    }

    @Override
    public List<AdoptedVip> adopted() {
        return adopted;
    }

    @Override
    public boolean restored() {
        return datapath.restoredFrontends() > 0;
    }

    /** The datapath's Maglev table size: its dp_maglev4 values hold exactly this many entries. */
    @Override
    public int tableSize() {
        return datapath.maglevTableSize();
    }

    /** Leaves maps, programs, attachments and SNAT rules in place: traffic keeps flowing. */
    @Override
    public void close() {
        datapath.close();
    }

    public List<String> uplinks() {
        return uplinks;
    }
}
