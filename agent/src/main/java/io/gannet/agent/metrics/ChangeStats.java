package io.gannet.agent.metrics;

/**
 * Route change statistics of one direction and kind (import updates, import withdraws, export
 * updates, export withdraws) as BIRD's "Route change stats" table counts them.
 *
 * @param received routes offered (by the peer for import, by the Loc-RIB for export)
 * @param rejected rejected as invalid (RFC 7606 treat-as-withdraw, AS-path loop, ...)
 * @param filtered dropped by policy
 * @param ignored  changed nothing (a duplicate, or a withdraw of an unknown route)
 * @param accepted taken into the RIB (import) or sent (export)
 */
public record ChangeStats(long received, long rejected, long filtered, long ignored, long accepted) {
    public static final ChangeStats ZERO = new ChangeStats(0, 0, 0, 0, 0);
}
