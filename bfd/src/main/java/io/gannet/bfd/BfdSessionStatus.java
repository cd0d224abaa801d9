package io.gannet.bfd;

import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.bfd.wire.DropReason;
import java.util.Map;

/**
 * A snapshot of one session for `gannet show bfd` and metrics. Intervals in microseconds.
 *
 * @param txIntervalMicros negotiated transmit interval: max(our DesiredMinTx, remote RequiredMinRx)
 * @param rxIntervalMicros negotiated receive interval: max(our RequiredMinRx, remote DesiredMinTx)
 * @param detectTimeMicros detection time per RFC 5880 6.8.4 (0 before the first packet)
 * @param flaps Up -> Down transitions
 * @param detectionEvents detection-time expiries
 * @param sinceLastChangeMillis time since the last state change
 * @param sinceLastRxMillis time since the last accepted packet (-1: none yet)
 * @param drops non-zero drop counters attributed to this session
 * @param clients number of clients holding the session
 */
public record BfdSessionStatus(BfdPeerSpec.Key key, BfdState state, BfdState remoteState, Diagnostic localDiagnostic,
        long localDiscriminator, long remoteDiscriminator, long desiredMinTxMicros, long requiredMinRxMicros,
        int detectMult, long remoteDesiredMinTxMicros, long remoteRequiredMinRxMicros, int remoteDetectMult,
        long txIntervalMicros, long rxIntervalMicros, long detectTimeMicros, boolean pollActive, long flaps,
        long detectionEvents, long upTransitions, long rxPackets, long txPackets, long sinceLastChangeMillis,
        long sinceLastRxMillis, Map<DropReason, Long> drops, int clients, int sourcePort) {}
