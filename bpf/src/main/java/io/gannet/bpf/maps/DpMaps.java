package io.gannet.bpf.maps;

import java.util.List;

/**
 * The datapath's maps: names (as in lib/maps.h, which also sets their sizes) and the
 * Java layouts of their keys and values. One list, used by the loader, the reconciler,
 * the BTF test and the docs.
 */
public final class DpMaps {
    private DpMaps() {}

    /** A map name with its key and value layouts. */
    public record Spec<K, V>(String name, Layout<K> key, Layout<V> value) {}

    public static final Spec<SvcKey, SvcValue> SVC = new Spec<>("dp_svc4", SvcKey.LAYOUT, SvcValue.LAYOUT);
    public static final Spec<Integer, BackendValue> BACKENDS = new Spec<>("dp_backends4", Layout.U32, BackendValue.LAYOUT);
    public static final Spec<Integer, RevNatValue> REVNAT = new Spec<>("dp_revnat4", Layout.U16, RevNatValue.LAYOUT);
    public static final Spec<CtKey, CtEntry> CT = new Spec<>("dp_ct4", CtKey.LAYOUT, CtEntry.LAYOUT);
    public static final Spec<Integer, MaglevValue> MAGLEV = new Spec<>("dp_maglev4", Layout.U32, MaglevValue.LAYOUT);
    public static final Spec<Integer, EndpointValue> ENDPOINTS = new Spec<>("dp_endpoints", Layout.U32, EndpointValue.LAYOUT);
    /** A pod's IPv6 address for the IPv6 source check (lib/endpoint.h), keyed like dp_endpoints; a map of its own. */
    public static final Spec<Integer, EndpointValue6> ENDPOINTS6 = new Spec<>("dp_endpoints6", Layout.U32, EndpointValue6.LAYOUT);
    public static final Spec<Integer, ConfigValue> CONFIG = new Spec<>("dp_config", Layout.U32, ConfigValue.LAYOUT);
    public static final Spec<AffinityKey, AffinityValue> AFFINITY = new Spec<>("dp_affinity4", AffinityKey.LAYOUT, AffinityValue.LAYOUT);
    public static final Spec<CtKey, NatValue> SNAT = new Spec<>("dp_snat4", CtKey.LAYOUT, NatValue.LAYOUT);
    /**
     * The node IPv4 address a SNATed flow of an external frontend that is not a node port leaves
     * with (externalTrafficPolicy Cluster, lib/nodeport.h), by the frontend's rev-NAT index (port 0).
     */
    public static final Spec<Integer, NatValue> SNAT4_SRC = new Spec<>("dp_snat4_src", Layout.U16, NatValue.LAYOUT);
    public static final Spec<SrcRangeKey, Integer> SRC_RANGE = new Spec<>("dp_src_range4", SrcRangeKey.LAYOUT, Layout.U8);
    public static final Spec<Integer, Long> METRICS = new Spec<>("dp_metrics", Layout.U32, Layout.U64);
    public static final Spec<IpcacheKey, IpcacheValue> IPCACHE = new Spec<>("dp_ipcache4", IpcacheKey.LAYOUT, IpcacheValue.LAYOUT);
    /** IPv6 prefix -> identity for IPv6 policy (lib/policy.h), a map of its own beside dp_ipcache4. */
    public static final Spec<IpcacheKey6, IpcacheValue> IPCACHE6 = new Spec<>("dp_ipcache6", IpcacheKey6.LAYOUT, IpcacheValue.LAYOUT);
    public static final Spec<PolicyMapKey, PolicyMapValue> POLICY = new Spec<>("dp_policy4", PolicyMapKey.LAYOUT, PolicyMapValue.LAYOUT);
    public static final Spec<Integer, Long> POLICY_METRICS = new Spec<>("dp_policy_metrics", Layout.U32, Layout.U64);
    public static final Spec<Integer, Long> EGRESS_METRICS = new Spec<>("dp_egress_metrics", Layout.U32, Layout.U64);
    public static final Spec<Integer, MasqValue> MASQ = new Spec<>("dp_masq4", Layout.U32, MasqValue.LAYOUT);
    public static final Spec<IpcacheKey, Integer> NOMASQ = new Spec<>("dp_nomasq4", IpcacheKey.LAYOUT, Layout.U8);
    /** IPv6 masquerade (lib/masq6.h): maps of their own beside dp_masq4 and dp_nomasq4. */
    public static final Spec<Integer, MasqValue6> MASQ6 = new Spec<>("dp_masq6", Layout.U32, MasqValue6.LAYOUT);
    public static final Spec<NoMasqKey6, Integer> NOMASQ6 = new Spec<>("dp_nomasq6", NoMasqKey6.LAYOUT, Layout.U8);
    public static final Spec<Integer, Long> MASQ_RETRIES = new Spec<>("dp_masq_retries", Layout.U32, Layout.U64);
    /** IPv6 services (lib/lb6.h): maps of their own, the IPv4 maps' layouts and pins unchanged. */
    public static final Spec<SvcKey6, SvcValue> SVC6 = new Spec<>("dp_svc6", SvcKey6.LAYOUT, SvcValue.LAYOUT);
    public static final Spec<Integer, BackendValue6> BACKENDS6 = new Spec<>("dp_backends6", Layout.U32, BackendValue6.LAYOUT);
    public static final Spec<Integer, RevNatValue6> REVNAT6 = new Spec<>("dp_revnat6", Layout.U16, RevNatValue6.LAYOUT);
    public static final Spec<CtKey6, CtEntry> CT6 = new Spec<>("dp_ct6", CtKey6.LAYOUT, CtEntry.LAYOUT);
    /** IPv6 SNAT of external frontends (lib/nodeport6.h): the rewrites, keyed like dp_ct6. */
    public static final Spec<CtKey6, NatValue6> SNAT6 = new Spec<>("dp_snat6", CtKey6.LAYOUT, NatValue6.LAYOUT);
    /** The node IPv6 address a SNATed flow of a frontend leaves with, by the frontend's rev-NAT index (port 0). */
    public static final Spec<Integer, NatValue6> SNAT6_SRC = new Spec<>("dp_snat6_src", Layout.U16, NatValue6.LAYOUT);
    /** loadBalancerSourceRanges of IPv6 frontends (an LPM trie, as dp_src_range4). */
    public static final Spec<SrcRangeKey6, Integer> SRC_RANGE6 = new Spec<>("dp_src_range6", SrcRangeKey6.LAYOUT, Layout.U8);
    /** sessionAffinity ClientIP of IPv6 frontends (LRU, written by the programs). */
    public static final Spec<AffinityKey6, AffinityValue> AFFINITY6 = new Spec<>("dp_affinity6", AffinityKey6.LAYOUT, AffinityValue.LAYOUT);

    /** Every map a Gannet object declares, in lib/maps.h order (dp_frag4 and dp_frag6 are internal to the programs). */
    public static final List<Spec<?, ?>> ALL = List.of(SVC, BACKENDS, REVNAT, CT, MAGLEV, ENDPOINTS, AFFINITY, SNAT, SRC_RANGE, CONFIG,
            METRICS, IPCACHE, POLICY, POLICY_METRICS, EGRESS_METRICS, MASQ, NOMASQ, MASQ6, NOMASQ6, MASQ_RETRIES, SVC6, BACKENDS6, REVNAT6, CT6,
            SNAT6, SNAT6_SRC, SRC_RANGE6, AFFINITY6, SNAT4_SRC, ENDPOINTS6, IPCACHE6);

    /** Maps the programs own alone: the agent never writes them, only the pin is kept. */
    public static final String FRAG = "dp_frag4";

    /** IPv6 first-fragment rewrites (lib/lb6.h), the programs' own as {@link #FRAG}. */
    public static final String FRAG6 = "dp_frag6";

    /** The drop-event FIFO (BPF_MAP_TYPE_QUEUE: no key; values are {@link DropEvent}s, popped by the agent). */
    public static final String DROP_EVENTS = "dp_drop_events";

    /** The IPv6 drop-event FIFO ({@link DropEvent6}s), beside {@link #DROP_EVENTS}. */
    public static final String DROP_EVENTS6 = "dp_drop_events6";
}
