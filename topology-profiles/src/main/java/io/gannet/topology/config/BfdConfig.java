package io.gannet.topology.config;

/**
 * BFD beside one BGP session (RFC 5880/5881).
 *
 * @param enabled    run BFD for this session
 * @param minTxMs    Desired Min TX Interval, milliseconds
 * @param minRxMs    Required Min RX Interval, milliseconds
 * @param multiplier Detect Mult
 * @param strict     BGP strict mode (draft-ietf-idr-bgp-bfd-strict-mode): the BGP session may not
 *                   reach Established before this BFD session is Up
 */
public record BfdConfig(boolean enabled, int minTxMs, int minRxMs, int multiplier, boolean strict) {
    public static final BfdConfig DEFAULT = new BfdConfig(true, 300, 300, 3, false);

    /** Without strict mode (the default). */
    public BfdConfig(boolean enabled, int minTxMs, int minRxMs, int multiplier) {
        this(enabled, minTxMs, minRxMs, multiplier, false);
    }
}
