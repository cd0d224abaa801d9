package io.gannet.topology.config;

/**
 * BFD beside one BGP session (RFC 5880; single-hop RFC 5881 or multihop RFC 5883).
 *
 * @param enabled    run BFD for this session
 * @param minTxMs    Desired Min TX Interval, milliseconds
 * @param minRxMs    Required Min RX Interval, milliseconds
 * @param multiplier Detect Mult
 * @param strict     BGP strict mode (draft-ietf-idr-bgp-bfd-strict-mode): the BGP session may not
 *                   reach Established before this BFD session is Up
 * @param multihop   multihop BFD (RFC 5883: UDP 4784, TTL checked against {@code minReceivedTtl})
 *                   instead of single-hop (RFC 5881: UDP 3784, TTL 255 only); the switch renderings
 *                   make FRR and BIRD choose the same (see {@code NodeConfigFactory.bfdMultihop})
 * @param minReceivedTtl multihop: packets arriving with a lower TTL are dropped (RFC 5883 5; 1, any, as
 *                   resolved from a profile: BIRD sends multihop BFD with TTL 64); 255 for single-hop
 */
public record BfdConfig(boolean enabled, int minTxMs, int minRxMs, int multiplier, boolean strict, boolean multihop,
        int minReceivedTtl) {
    public static final BfdConfig DEFAULT = new BfdConfig(true, 300, 300, 3, false);

    public BfdConfig {
        if (minReceivedTtl < 1 || minReceivedTtl > 255) {
            throw new IllegalArgumentException("minimum received TTL must be 1..255, got " + minReceivedTtl);
        }
    }

    /** Single-hop. */
    public BfdConfig(boolean enabled, int minTxMs, int minRxMs, int multiplier, boolean strict) {
        this(enabled, minTxMs, minRxMs, multiplier, strict, false, 255);
    }

    /** Single-hop, without strict mode (the default). */
    public BfdConfig(boolean enabled, int minTxMs, int minRxMs, int multiplier) {
        this(enabled, minTxMs, minRxMs, multiplier, false);
    }
}
