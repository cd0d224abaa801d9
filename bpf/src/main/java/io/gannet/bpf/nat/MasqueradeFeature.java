package io.gannet.bpf.nat;

import io.gannet.bpf.lb.Clock;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.maps.Layout;
import io.gannet.bpf.maps.MasqValue;
import io.gannet.bpf.maps.NatValue;
import io.gannet.bpf.maps.TypedMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The masquerade feature handle (lib/masq.h). {@link #apply} makes dp_masq4 (host device
 * ifindex -> node address and pod pool) and dp_nomasq4 (destinations never masqueraded) equal
 * to the desired state, writing only the difference, so a daemon restart that applies the same
 * state changes nothing. {@link #translations}, {@link #occupancy} and {@link #retries} read
 * what the programs did.
 */
public final class MasqueradeFeature {
    /** DP_SNAT_PORT_MIN..MAX (lib/maps.h): the random ports a flow gets when its own is taken. */
    public static final int PORT_MIN = 61000;
    public static final int PORT_MAX = 65535;
    /** DP_MASQ_RETRIES: random ports a new flow tries. */
    public static final int RETRIES = 32;
    /** Upper bounds of the retry histogram's buckets (dp_masq_retries 0..6); bucket 7 counts exhausted flows. */
    public static final int[] RETRY_BUCKET_LE = {0, 1, 3, 7, 15, 31, 32};

    private final TypedMap<Integer, MasqValue> devices;
    private final TypedMap<IpcacheKey, Integer> noMasq;
    private final BpfMap retries;
    private final TypedMap<CtKey, CtEntry> ct;
    private final TypedMap<CtKey, NatValue> snat;
    private final Clock clock;

    public MasqueradeFeature(TypedMap<Integer, MasqValue> devices, TypedMap<IpcacheKey, Integer> noMasq, BpfMap retries,
            TypedMap<CtKey, CtEntry> ct, TypedMap<CtKey, NatValue> snat, Clock clock) {
        this.devices = devices;
        this.noMasq = noMasq;
        this.retries = retries;
        this.ct = ct;
        this.snat = snat;
        this.clock = clock;
    }

    /**
     * Makes the maps equal to the desired state: pods of {@code pool} leaving by a device of
     * {@code nodeAddressByIfindex} take that device's node address, unless the destination is in
     * {@code excluded}. An empty map turns masquerade off (established translations finish
     * their replies until they expire). Returns whether anything changed.
     */
    public synchronized boolean apply(Map<Integer, Integer> nodeAddressByIfindex, Ipv4Prefix pool, Collection<Ipv4Prefix> excluded) {
        boolean changed = false;
        Map<Integer, MasqValue> want = new HashMap<>();
        if (pool != null) {
            nodeAddressByIfindex.forEach((ifindex, addr) ->
                    want.put(ifindex, new MasqValue(addr, pool.addr(), Ipv4Prefix.mask(pool.length()))));
        }
        Map<Integer, MasqValue> have = devices.snapshotSlow();
        for (Map.Entry<Integer, MasqValue> e : want.entrySet()) {
            if (!e.getValue().equals(have.get(e.getKey()))) {
                devices.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        for (Integer ifindex : have.keySet()) {
            if (!want.containsKey(ifindex)) {
                devices.delete(ifindex);
                changed = true;
            }
        }
        Set<IpcacheKey> wantKeys = new LinkedHashSet<>();
        if (!want.isEmpty()) {
            for (Ipv4Prefix p : excluded) {
                wantKeys.add(new IpcacheKey(p.length(), p.addr()));
            }
        }
        Set<IpcacheKey> haveKeys = new HashSet<>(noMasq.snapshotSlow().keySet());
        for (IpcacheKey k : wantKeys) {
            if (!haveKeys.contains(k)) {
                noMasq.put(k, 1);
                changed = true;
            }
        }
        for (IpcacheKey k : haveKeys) {
            if (!wantKeys.contains(k)) {
                noMasq.delete(k);
                changed = true;
            }
        }
        return changed;
    }

    /** The devices masquerade runs on: ifindex -> node address (dp_masq4). */
    public synchronized Map<Integer, Integer> devices() {
        Map<Integer, Integer> out = new HashMap<>();
        devices.snapshotSlow().forEach((k, v) -> out.put(k, v.nodeAddr()));
        return out;
    }

    /** One masqueraded flow. Ports are ICMP echo identifiers for ICMP (the remote port is then 0). */
    public record Translation(int proto, int podAddr, int podPort, int nodeAddr, int nodePort, int remoteAddr, int remotePort,
            long expiresInSeconds) {
        public String protocol() {
            return switch (proto) {
                case 6 -> "TCP";
                case 17 -> "UDP";
                case 1 -> "ICMP";
                default -> Integer.toString(proto);
            };
        }

        public boolean portKept() {
            return podPort == nodePort;
        }

        @Override
        public String toString() {
            return protocol() + " " + Ipv4.format(podAddr) + ":" + podPort + " -> " + Ipv4.format(nodeAddr) + ":" + nodePort
                    + " -> " + Ipv4.format(remoteAddr) + ":" + remotePort;
        }
    }

    /** Live masqueraded flows (their pod-side conntrack entry not expired), sorted by pod then remote. */
    public synchronized List<Translation> translations() {
        long now = clock.monotonicSeconds();
        List<CtKey> keys = new ArrayList<>();
        Map<CtKey, Long> expires = new HashMap<>();
        ct.forEach((k, e) -> {
            if (k.dir() == CtKey.MASQ_OUT && e.expires() >= now) {
                keys.add(k);
                expires.put(k, e.expires());
            }
        });
        List<Translation> out = new ArrayList<>();
        for (CtKey k : keys) {
            NatValue n = snat.get(k);
            if (n == null) {
                continue;
            }
            out.add(new Translation(k.proto(), k.saddr(), k.sport(), n.addr(), n.port(), k.daddr(),
                    k.proto() == 1 ? 0 : k.dport(), expires.get(k) - now));
        }
        out.sort(Comparator.comparing((Translation t) -> Integer.toUnsignedLong(t.podAddr())).thenComparingInt(Translation::podPort)
                .thenComparing(t -> Integer.toUnsignedLong(t.remoteAddr())).thenComparingInt(Translation::remotePort));
        return out;
    }

    /**
     * How full the table is: {@code flows} live translations, each holding two dp_snat4 entries of
     * {@code tableEntries}; {@code busiest*}: the remote (address, port, protocol) with most
     * flows, and how many of the {@code PORT_MAX - PORT_MIN + 1} random ports its flows hold.
     */
    public record Occupancy(int flows, int snatEntries, int tableEntries, String busiestRemote, int busiestFlows,
            int busiestRandomPorts, int randomPortRange) {
        /** Share of dp_snat4 in use, 0..1. */
        public double tableFill() {
            return tableEntries == 0 ? 0 : (double) snatEntries / tableEntries;
        }

        /** Share of the random port range the busiest remote holds, 0..1. */
        public double busiestPortFill() {
            return (double) busiestRandomPorts / randomPortRange;
        }
    }

    public synchronized Occupancy occupancy() {
        List<Translation> flows = translations();
        Map<String, int[]> perRemote = new HashMap<>();
        for (Translation t : flows) {
            String remote = t.protocol() + " " + Ipv4.format(t.remoteAddr()) + (t.proto() == 1 ? "" : ":" + t.remotePort());
            int[] c = perRemote.computeIfAbsent(remote, r -> new int[2]);
            c[0]++;
            if (t.nodePort() >= PORT_MIN && t.nodePort() <= PORT_MAX) {
                c[1]++;
            }
        }
        String busiest = "-";
        int[] best = {0, 0};
        for (Map.Entry<String, int[]> e : perRemote.entrySet()) {
            if (e.getValue()[0] > best[0]) {
                best = e.getValue();
                busiest = e.getKey();
            }
        }
        int[] entries = {0};
        snat.raw().forEachBatch(4096, (k, v) -> entries[0]++);
        return new Occupancy(flows.size(), entries[0], snat.raw().maxEntries(), busiest, best[0], best[1], PORT_MAX - PORT_MIN + 1);
    }

    /** dp_masq_retries summed over CPUs: [0..6] flows by tries (see {@link #RETRY_BUCKET_LE}), [7] flows that found no port. */
    public synchronized long[] retries() {
        long[] out = new long[RETRY_BUCKET_LE.length + 1];
        for (int i = 0; i < out.length; i++) {
            byte[] raw = retries.lookupPerCpu(Layout.U32.encode(i));
            if (raw != null) {
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 8) {
                    out[i] += b.getLong();
                }
            }
        }
        return out;
    }
}
