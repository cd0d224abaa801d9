package io.gannet.agent.metrics;

import io.gannet.agent.control.BfdState;
import java.util.Objects;

/**
 * One BFD session's metrics.
 *
 * @param peerAddress           remote address as text
 * @param interfaceName         interface, or "" for multihop
 * @param multihop              multihop session (RFC 5883), the {@code hop="multi"} label; single-hop {@code hop="single"}
 * @param client                who uses it (the BGP peer's name), the {@code name} label
 * @param state                 local state
 * @param stateSinceEpochMillis when {@code state} was entered
 * @param flaps                 transitions out of Up
 * @param detectionEvents       detection-time expiries (RFC 5880 6.8.4)
 * @param txIntervalMicros      negotiated transmit interval
 * @param detectionTimeMicros   detection time (remote multiplier x agreed remote interval)
 */
public record BfdMetrics(
        String peerAddress,
        String interfaceName,
        boolean multihop,
        String client,
        BfdState state,
        long stateSinceEpochMillis,
        long flaps,
        long detectionEvents,
        long txIntervalMicros,
        long detectionTimeMicros) {

    public BfdMetrics {
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(state, "state");
    }
}
