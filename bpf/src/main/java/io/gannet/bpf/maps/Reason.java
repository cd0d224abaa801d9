package io.gannet.bpf.maps;

/**
 * Named outcomes counted in dp_metrics, in the order of enum dp_reason in lib/metrics.h
 * (the index is the ordinal).
 */
public enum Reason {
    PASS_NON_IPV4,
    PASS_NO_SERVICE,
    PASS_OTHER_L4,
    PASS_FRAGMENT,
    NAT_NEW,
    NAT_CT_HIT,
    NAT_REVERSE,
    NAT_FRAGMENT,
    REJECT_NO_BACKEND,
    REJECT_BACKEND_GONE,
    DROP_NO_BACKEND,
    DROP_MALFORMED,
    DROP_SPOOFED,
    DROP_NAT_FAILED,
    NAT_AFFINITY,
    CT_NEW_PLAIN,
    NAT_ICMP_ERROR,
    NAT_SNAT,
    REDIRECT_FIB,
    DROP_NO_ROUTE,
    DROP_SNAT_PORTS,
    DROP_SOURCE_RANGE,
    NAT_HAIRPIN,
    REJECT_SERVICE_GONE,
    DROP_SERVICE_GONE,
    NAT_MASQ,
    NAT_MASQ_REPLY,
    DROP_MASQ_PORTS,
    CT_PORT_REMAP,
    NAT_SOCKET,
    REJECT_SOCKET_NO_BACKEND,
    DROP_TTL_EXCEEDED,
    DROP_NO_BACKEND_IPV6,
    DROP_POLICY_IPV6,
    DROP_NO_SNAT_SOURCE;

    /**
     * What happened to the packet, for the {@code verdict} label of
     * {@code gannet_datapath_packets_total}: {@code pass} (left untouched), {@code nat}
     * (translated), {@code reject} (answered with a TCP RST or ICMP error), {@code drop},
     * {@code redirect} (sent on by FIB lookup), or {@code conntrack} for the {@code CT_*} reasons,
     * which count conntrack events, not packets (the packet is counted again by its verdict):
     * {@link #CT_NEW_PLAIN} a new tracked flow, {@link #CT_PORT_REMAP} a pod's new flow that
     * leaves with another source port because another live flow holds its tuple on the wire.
     */
    public String verdict() {
        String n = name();
        if (n.startsWith("CT_")) {
            return "conntrack";
        }
        return n.substring(0, n.indexOf('_')).toLowerCase(java.util.Locale.ROOT);
    }

    /** The reason as a label value: {@code drop_no_route} for {@link #DROP_NO_ROUTE}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
