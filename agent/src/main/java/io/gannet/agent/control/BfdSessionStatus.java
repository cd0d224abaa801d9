package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One BFD session (RFC 5880) as {@code gannet show bfd} shows it.
 *
 * @param peerAddress       the remote system
 * @param localAddress      our source address
 * @param interfaceName     the interface for single-hop sessions (RFC 5881), null for multihop
 * @param multihop          multihop session (RFC 5883, UDP 4784), else single-hop (RFC 5881, UDP 3784)
 * @param state             our state
 * @param remoteState       the state the remote last reported
 * @param sinceEpochMillis  when {@code state} was entered
 * @param diagnostic        the last local diagnostic (RFC 5880 4.1), e.g. "Control Detection Time Expired"
 * @param txIntervalMicros  negotiated transmit interval
 * @param rxIntervalMicros  negotiated receive interval
 * @param multiplier        detect multiplier
 * @param flaps             transitions out of Up
 * @param detectionEvents   times the detection timer expired
 * @param clients           who asked for the session (for example the BGP peer's name)
 */
public record BfdSessionStatus(
        InetAddress peerAddress,
        InetAddress localAddress,
        String interfaceName,
        boolean multihop,
        BfdState state,
        BfdState remoteState,
        long sinceEpochMillis,
        String diagnostic,
        long txIntervalMicros,
        long rxIntervalMicros,
        int multiplier,
        long flaps,
        long detectionEvents,
        List<String> clients) {

    public BfdSessionStatus {
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(remoteState, "remoteState");
        clients = List.copyOf(clients);
    }
}
