package io.gannet.bpf;

import io.gannet.bpf.libbpf.BpfException;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.BpfObject;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned pin layout. This build pins its maps under {@code <pinRoot>/v2/} and its
 * programs under {@code <pinRoot>/v2/progs/}; the version is bumped whenever a map's type,
 * key, value or size changes, so an upgraded agent never re-adopts a map it cannot read.
 *
 * <p>On open, pins of an older layout are migrated instead of refused:
 * <ul>
 *   <li><b>v1</b> (Gannet before the versioned layout: maps directly under the pin root,
 *       programs under {@code progs/}): the services, backends, rev-NAT, Maglev, endpoint
 *       and conntrack entries are copied into the new maps (same structs, so a byte copy; a
 *       map whose key or value size differs is rebuilt from desired state instead and
 *       reported), so established flows keep their backends; the pods recorded in the old
 *       dp_endpoints are re-attached to the new programs (atomic filter replace); then the
 *       old pins are removed. Host devices are re-attached by the agent's start-up as
 *       always.</li>
 * </ul>
 * Adding a map keeps the version (an older agent never opens it; the maps it knows are
 * unchanged): v2 gained the ingress policy maps dp_ipcache4, dp_policy4, dp_policy_metrics and
 * dp_drop_events, created empty and written from desired policy by the agent's start-up, and
 * the policy flag in dp_endpoints' {@code flags} (zero before, so a pinned v2 endpoint without
 * policy reads as not enforced), then the egress map dp_egress_metrics, the egress flag
 * (0x02) and DP_CT_F_EGRESS_OK in conntrack flags (flows recorded before it lack the mark and
 * get it at their next packet while no egress policy selects their pod), and later
 * dp_snat4_src (the node address IPv4 externalIPs and load-balancer IPs with
 * externalTrafficPolicy Cluster are SNATed to, by rev-NAT index: empty in pins of an older
 * agent, which programmed no such frontend with DP_SVC_F_SNAT), and dp_sock_revnat6 (the IPv6
 * frontend each IPv6 socket was sent to by socket-level load balancing: created empty, as an
 * older agent translated no IPv6 socket; its IPv6 cgroup links are added beside the IPv4 ones,
 * io.gannet.bpf.lb.SocketLbFeature), and dp_frag6 (IPv6 first-fragment rewrites, written and read
 * by the programs only: created empty, so fragments in flight across the upgrade whose first
 * fragment an older agent saw pass untouched, as they did before), and dp_ipcache6 and
 * dp_drop_events6 (IPv6 policy: created empty and written from desired policy at start-up; IPv6
 * entries share dp_policy4, whose layout is unchanged). A v1 migration carries no
 * policy: v1 had none.
 *
 * <p>Flows that start during the few milliseconds between the copy and the re-attach are
 * recorded in the old maps only and are re-picked by the new ones.
 */
public final class PinLayout {
    private static final Logger LOG = LoggerFactory.getLogger(PinLayout.class);

    /** The layout this build writes. */
    public static final String CURRENT = "v2";

    private PinLayout() {}

    /** The directory libbpf pins this layout's maps in. */
    public static Path mapsDir(Path pinRoot) {
        return pinRoot.resolve(CURRENT);
    }

    /** The directory the links of cgroup attachments (socket-level load balancing) are pinned in. */
    public static Path linksDir(Path pinRoot) {
        return mapsDir(pinRoot).resolve("links");
    }

    /** The directory this layout's programs are pinned in. */
    public static Path progsDir(Path pinRoot) {
        return mapsDir(pinRoot).resolve("progs");
    }

    /** What a migration did. */
    public record Migration(String from, Map<String, Integer> copied, List<String> rebuilt, Map<Integer, Integer> pods) {
        public boolean happened() {
            return from != null;
        }
    }

    static final Migration NONE = new Migration(null, Map.of(), List.of(), Map.of());

    /** Maps whose entries an upgrade keeps (config and metrics are rewritten, fragments are transient). */
    private static final List<DpMaps.Spec<?, ?>> CARRIED = List.of(DpMaps.SVC, DpMaps.BACKENDS, DpMaps.REVNAT,
            DpMaps.MAGLEV, DpMaps.ENDPOINTS, DpMaps.CT);

    /** True when v1 pins (maps at the root) are present. */
    static boolean hasV1(Path pinRoot) {
        return Files.exists(pinRoot.resolve(DpMaps.SVC.name())) || Files.exists(pinRoot.resolve(DpMaps.CT.name()));
    }

    /**
     * Copies v1 maps into the freshly loaded current ones ({@code lxc}'s maps; all objects
     * share them). Returns the old endpoints (ifindex -> pod address) for re-attachment.
     * The old pins are left for {@link #removeV1} after the re-attach.
     */
    static Migration copyV1(Path pinRoot, BpfObject lxc) {
        if (!hasV1(pinRoot)) {
            return NONE;
        }
        Map<String, Integer> copied = new LinkedHashMap<>();
        List<String> rebuilt = new ArrayList<>();
        Map<Integer, Integer> pods = new LinkedHashMap<>();
        for (DpMaps.Spec<?, ?> spec : CARRIED) {
            BpfMap neu = lxc.map(spec.name());
            try (BpfMap old = BpfMap.openPinnedAsIs(pinRoot.resolve(spec.name()).toString())) {
                if (old == null) {
                    continue;
                }
                if (old.keySize() != neu.keySize() || old.valueSize() != neu.valueSize()) {
                    rebuilt.add(spec.name() + " (key/value " + old.keySize() + "/" + old.valueSize() + " bytes, now "
                            + neu.keySize() + "/" + neu.valueSize() + ")");
                    continue;
                }
                int[] n = {0};
                List<byte[]> keys = new ArrayList<>();
                List<byte[]> values = new ArrayList<>();
                if (spec == DpMaps.MAGLEV) {
                    // 64 KiB values: walk key by key rather than batch
                    byte[] k = old.nextKey(null);
                    while (k != null) {
                        byte[] v = old.lookup(k);
                        if (v != null) {
                            neu.update(k, v, BpfMap.BPF_ANY);
                            n[0]++;
                        }
                        k = old.nextKey(k);
                    }
                } else {
                    old.forEachBatch(4096, (k, v) -> {
                        keys.add(k);
                        values.add(v);
                        if (spec == DpMaps.ENDPOINTS) {
                            pods.put(Layout.U32.decode(k), java.nio.ByteBuffer.wrap(v).getInt());
                        }
                    });
                    for (int i = 0; i < keys.size(); i++) {
                        neu.update(keys.get(i), values.get(i), BpfMap.BPF_ANY);
                        n[0]++;
                    }
                }
                copied.put(spec.name(), n[0]);
            }
        }
        LOG.info("migrating pin layout v1 -> {}: copied {}, rebuilt from desired state {}, {} pods to re-attach",
                CURRENT, copied, rebuilt, pods.size());
        return new Migration("v1", Map.copyOf(copied), List.copyOf(rebuilt), Map.copyOf(pods));
    }

    /** Removes the v1 pins (maps at the root and its progs/ directory); leaves the current layout alone. */
    static void removeV1(Path pinRoot) {
        try {
            for (DpMaps.Spec<?, ?> spec : DpMaps.ALL) {
                Files.deleteIfExists(pinRoot.resolve(spec.name()));
            }
            Files.deleteIfExists(pinRoot.resolve(DpMaps.FRAG));
            Path progs = pinRoot.resolve("progs");
            if (Files.isDirectory(progs)) {
                try (var s = Files.list(progs)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(progs);
            }
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "remove v1 pins under " + pinRoot, 0, e.toString());
        }
    }
}
