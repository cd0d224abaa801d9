package io.gannet.bpf.nat;

import io.gannet.bpf.lb.Clock;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.maps.Layout;
import io.gannet.bpf.maps.MasqValue;
import io.gannet.bpf.maps.MasqValue6;
import io.gannet.bpf.maps.NatValue;
import io.gannet.bpf.maps.NatValue6;
import io.gannet.bpf.maps.NoMasqKey6;
import io.gannet.bpf.maps.TypedMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The masquerade feature handle (lib/masq.h, lib/masq6.h). {@link #apply} makes dp_masq4 (host
 * device ifindex -> node address and pod pool) and dp_nomasq4 (destinations never masqueraded)
 * equal to the desired state, and {@link #apply6} dp_masq6 and dp_nomasq6 for IPv6, writing only
 * the difference, so a daemon restart that applies the same state changes nothing.
 * {@link #translations}, {@link #occupancy}, {@link #occupancy6} and {@link #retries} read what
 * the programs did (IPv6 flows are dp_ct6 / dp_snat6 pairs; the retry histogram is shared).
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
    private final Ipv6Maps v6;
    private final Clock clock;

    /** The IPv6 maps (lib/masq6.h): devices (dp_masq6), exclusions (dp_nomasq6), dp_ct6 and dp_snat6. */
    public record Ipv6Maps(TypedMap<Integer, MasqValue6> devices, TypedMap<NoMasqKey6, Integer> noMasq,
            TypedMap<CtKey6, CtEntry> ct, TypedMap<CtKey6, NatValue6> snat) {}

    public MasqueradeFeature(TypedMap<Integer, MasqValue> devices, TypedMap<IpcacheKey, Integer> noMasq, BpfMap retries,
            TypedMap<CtKey, CtEntry> ct, TypedMap<CtKey, NatValue> snat, Ipv6Maps v6, Clock clock) {
        this.devices = devices;
        this.noMasq = noMasq;
        this.retries = retries;
        this.ct = ct;
        this.snat = snat;
        this.v6 = v6;
        this.clock = clock;
    }

    /**
     * Makes the maps equal to the desired state: pods of {@code pool} leaving by a device of
     * {@code nodeAddressByIfindex} take that device's node address, unless the destination is in
     * {@code excluded}. An empty map turns masquerade off (established translations finish
     * their replies until they expire). Returns whether anything changed.
     */
    public synchronized boolean apply(Map<Integer, Integer> nodeAddressByIfindex, Ipv4Prefix pool, Collection<Ipv4Prefix> excluded) {
        Map<Integer, MasqValue> want = new HashMap<>();
        if (pool != null) {
            nodeAddressByIfindex.forEach((ifindex, addr) ->
                    want.put(ifindex, new MasqValue(addr, pool.addr(), Ipv4Prefix.mask(pool.length()))));
        }
        Map<IpcacheKey, Integer> wantKeys = new HashMap<>();
        if (!want.isEmpty()) {
            for (Ipv4Prefix p : excluded) {
                wantKeys.put(new IpcacheKey(p.length(), p.addr()), 1);
            }
        }
        return reconcile(devices, want) | reconcile(noMasq, wantKeys);
    }

    /**
     * {@link #apply} for IPv6: IPv6 pods of {@code pool} leaving by a device of
     * {@code nodeAddressByIfindex} take that device's node IPv6 address, unless the destination
     * is in {@code excluded}. An empty map (or a null pool) turns IPv6 masquerade off. Returns
     * whether anything changed.
     */
    public synchronized boolean apply6(Map<Integer, Ipv6> nodeAddressByIfindex, Ipv6Prefix pool, Collection<Ipv6Prefix> excluded) {
        Map<Integer, MasqValue6> want = new HashMap<>();
        if (pool != null) {
            long mh = Ipv6Prefix.maskHi(pool.length());
            long ml = Ipv6Prefix.maskLo(pool.length());
            nodeAddressByIfindex.forEach((ifindex, addr) -> want.put(ifindex,
                    new MasqValue6(addr.hi(), addr.lo(), pool.addr().hi(), pool.addr().lo(), mh, ml)));
        }
        Map<NoMasqKey6, Integer> wantKeys = new HashMap<>();
        if (!want.isEmpty()) {
            for (Ipv6Prefix p : excluded) {
                wantKeys.put(new NoMasqKey6(p.addr().hi(), p.addr().lo(), p.length()), 1);
            }
        }
        return reconcile(v6.devices(), want) | reconcile(v6.noMasq(), wantKeys);
    }

    /** Makes {@code map} hold exactly {@code want}, writing only the difference; whether anything changed. */
    private static <K, V> boolean reconcile(TypedMap<K, V> map, Map<K, V> want) {
        boolean changed = false;
        Map<K, V> have = map.snapshotSlow();
        for (Map.Entry<K, V> e : want.entrySet()) {
            if (!e.getValue().equals(have.get(e.getKey()))) {
                map.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        for (K k : have.keySet()) {
            if (!want.containsKey(k)) {
                map.delete(k);
                changed = true;
            }
        }
        return changed;
    }

    /** The devices IPv6 masquerade runs on: ifindex -> node IPv6 address (dp_masq6). */
    public synchronized Map<Integer, Ipv6> devices6() {
        Map<Integer, Ipv6> out = new HashMap<>();
        v6.devices().snapshotSlow().forEach((k, v) -> out.put(k, new Ipv6(v.nodeHi(), v.nodeLo())));
        return out;
    }

    /** The devices masquerade runs on: ifindex -> node address (dp_masq4). */
    public synchronized Map<Integer, Integer> devices() {
        Map<Integer, Integer> out = new HashMap<>();
        devices.snapshotSlow().forEach((k, v) -> out.put(k, v.nodeAddr()));
        return out;
    }

    /**
     * One masqueraded flow, IPv4 or IPv6 (addresses as text). Ports are ICMP / ICMPv6 echo
     * identifiers for echo (the remote port is then 0).
     */
    public record Translation(int proto, boolean ipv6, String podAddr, int podPort, String nodeAddr, int nodePort,
            String remoteAddr, int remotePort, long expiresInSeconds) {
        public String protocol() {
            return switch (proto) {
                case 6 -> "TCP";
                case 17 -> "UDP";
                case 1 -> "ICMP";
                case 58 -> "ICMPv6";
                default -> Integer.toString(proto);
            };
        }

        public boolean echo() {
            return proto == 1 || proto == 58;
        }

        public boolean portKept() {
            return podPort == nodePort;
        }

        /** addr:port, [addr]:port for IPv6. */
        public String pod() {
            return endpoint(podAddr, podPort);
        }

        public String node() {
            return endpoint(nodeAddr, nodePort);
        }

        /** The remote address, with its port but for echo. */
        public String destination() {
            return echo() ? remoteAddr : endpoint(remoteAddr, remotePort);
        }

        private String endpoint(String addr, int port) {
            return (ipv6 ? "[" + addr + "]" : addr) + ":" + port;
        }

        @Override
        public String toString() {
            return protocol() + " " + pod() + " -> " + node() + " -> " + endpoint(remoteAddr, remotePort);
        }
    }

    /** Live masqueraded flows (their pod-side conntrack entry not expired): IPv4 then IPv6, each sorted by pod then remote. */
    public synchronized List<Translation> translations() {
        List<Translation> out = translations4();
        out.addAll(translations6());
        return out;
    }

    private List<Translation> translations4() {
        long now = clock.monotonicSeconds();
        List<CtKey> keys = new ArrayList<>();
        Map<CtKey, Long> expires = new HashMap<>();
        ct.forEach((k, e) -> {
            if (k.dir() == CtKey.MASQ_OUT && e.expires() >= now) {
                keys.add(k);
                expires.put(k, e.expires());
            }
        });
        keys.sort(Comparator.comparing((CtKey k) -> Integer.toUnsignedLong(k.saddr())).thenComparingInt(CtKey::sport)
                .thenComparing(k -> Integer.toUnsignedLong(k.daddr())).thenComparingInt(CtKey::dport));
        List<Translation> out = new ArrayList<>();
        for (CtKey k : keys) {
            NatValue n = snat.get(k);
            if (n == null) {
                continue;
            }
            out.add(new Translation(k.proto(), false, Ipv4.format(k.saddr()), k.sport(), Ipv4.format(n.addr()), n.port(),
                    Ipv4.format(k.daddr()), k.proto() == 1 ? 0 : k.dport(), expires.get(k) - now));
        }
        return out;
    }

    private List<Translation> translations6() {
        List<Translation> out = new ArrayList<>();
        if (v6 == null) {
            return out;
        }
        long now = clock.monotonicSeconds();
        List<CtKey6> keys = new ArrayList<>();
        Map<CtKey6, Long> expires = new HashMap<>();
        v6.ct().forEach((k, e) -> {
            if (k.dir() == CtKey.MASQ_OUT && e.expires() >= now) {
                keys.add(k);
                expires.put(k, e.expires());
            }
        });
        keys.sort(Comparator.comparing((CtKey6 k) -> new Ipv6(k.saddrHi(), k.saddrLo())).thenComparingInt(CtKey6::sport)
                .thenComparing(k -> new Ipv6(k.daddrHi(), k.daddrLo())).thenComparingInt(CtKey6::dport));
        for (CtKey6 k : keys) {
            NatValue6 n = v6.snat().get(k);
            if (n == null) {
                continue;
            }
            out.add(new Translation(k.proto(), true, new Ipv6(k.saddrHi(), k.saddrLo()).format(), k.sport(),
                    new Ipv6(n.addrHi(), n.addrLo()).format(), n.port(), new Ipv6(k.daddrHi(), k.daddrLo()).format(),
                    k.proto() == 58 ? 0 : k.dport(), expires.get(k) - now));
        }
        return out;
    }

    /**
     * How full the table is: {@code flows} live translations, each holding two dp_snat4 (IPv6: dp_snat6) entries of
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

    /** IPv4's occupancy (dp_snat4). */
    public synchronized Occupancy occupancy() {
        int[] entries = {0};
        snat.raw().forEachBatch(4096, (k, v) -> entries[0]++);
        return occupancyOf(translations4(), entries[0], snat.raw().maxEntries());
    }

    /** IPv6's occupancy: its flows, and dp_snat6 (shared with IPv6 service SNAT, as dp_snat4 is for IPv4). */
    public synchronized Occupancy occupancy6() {
        int[] entries = {0};
        v6.snat().raw().forEachBatch(4096, (k, v) -> entries[0]++);
        return occupancyOf(translations6(), entries[0], v6.snat().raw().maxEntries());
    }

    private static Occupancy occupancyOf(List<Translation> flows, int entries, int capacity) {
        Map<String, int[]> perRemote = new HashMap<>();
        for (Translation t : flows) {
            String remote = t.protocol() + " " + t.destination();
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
        return new Occupancy(flows.size(), entries, capacity, busiest, best[0], best[1], PORT_MAX - PORT_MIN + 1);
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
