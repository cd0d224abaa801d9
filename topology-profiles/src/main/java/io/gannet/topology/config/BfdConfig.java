package io.gannet.topology.config;

/**
 * BFD beside one BGP session (RFC 5880/5881).
 *
 * @param enabled    run BFD for this session
 * @param minTxMs    Desired Min TX Interval, milliseconds
 * @param minRxMs    Required Min RX Interval, milliseconds
 * @param multiplier Detect Mult
 */
public record BfdConfig(boolean enabled, int minTxMs, int minRxMs, int multiplier) {
    public static final BfdConfig DEFAULT = new BfdConfig(true, 300, 300, 3);
}
