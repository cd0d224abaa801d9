package io.gannet.bfd.session;

import io.gannet.bfd.wire.AuthDigest;
import io.gannet.bfd.wire.AuthType;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.ControlPacket;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.bfd.wire.DropReason;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One BFD session's state machine in Asynchronous mode (RFC 5880 6.2, 6.8).
 *
 * <pre>
 *                             +--+
 *                             |  | UP, ADMIN DOWN, TIMER
 *                             |  V
 *                     DOWN  +------+  INIT
 *              +------------|      |------------+
 *              |            | DOWN |            |
 *              |  +-------->|      |<--------+  |
 *              |  |         +------+         |  |
 *              |  |                          |  |
 *              |  |               ADMIN DOWN,|  |
 *              |  |ADMIN DOWN,          DOWN,|  |
 *              |  |TIMER                TIMER|  |
 *              V  |                          |  V
 *            +------+                      +------+
 *       +----|      |                      |      |----+
 *   DOWN|    | INIT |--------------------->|  UP  |    |INIT, UP
 *       +--->|      | INIT, UP             |      |<---+
 *            +------+                      +------+
 * </pre>
 *
 * <p>The session is driven by three inputs, each given the current time: {@link #receive}
 * (a well-formed packet demultiplexed to this session), {@link #pollTimers} (the timer
 * thread's tick) and the administrative calls. It never reads a clock itself.
 *
 * <p>Thread safety: every public method synchronizes on the session. The receive thread
 * and the timer thread are the only callers on the packet path; critical sections are a
 * few field updates and never block. Nothing on the packet path allocates.
 *
 * <p>Timer variables follow RFC 5880 6.8.1. Three pairs of interval values exist because of
 * 6.8.3: the <em>configured</em> values the client asked for, the <em>advertised</em> values
 * (bfd.DesiredMinTxInterval is at least 1 s while the session is not Up) and the values
 * <em>in effect</em> for our transmit interval and detection time, which lag the advertised
 * ones while a Poll Sequence for an increase (tx) or decrease (rx) is outstanding.
 */
public final class BfdSession {
    private static final Logger LOG = LoggerFactory.getLogger(BfdSession.class);
    /** RFC 5880 6.8.3: "not less than one second" while not Up. */
    public static final long SLOW_TX_MICROS = 1_000_000;

    private final long localDiscriminator;
    private final String name;
    private final SessionObserver observer;
    private final TxJitter jitter;
    private final BfdAuthentication auth;
    private final AuthDigest digest;

    // RFC 5880 6.8.1 state variables.
    private BfdState state = BfdState.DOWN;
    private BfdState remoteState = BfdState.DOWN;
    private long remoteDiscriminator;
    private Diagnostic localDiag = Diagnostic.NONE;
    private boolean remoteDemand;
    private long remoteMinRxMicros = 1; // initial value per 6.8.1
    private long remoteDesiredMinTxMicros;
    private int remoteDetectMult;

    private long configDesiredMinTxMicros;
    private long configRequiredMinRxMicros;
    private int detectMult;
    private long desiredMinTxMicros; // advertised
    private long requiredMinRxMicros; // advertised
    private long effectiveDesiredMinTxMicros; // for our transmit interval
    private long effectiveRequiredMinRxMicros; // for the detection time

    private boolean pollActive;
    private boolean pollPending;
    private boolean finalPending;
    private boolean packetPending;

    private long nextTxAt;
    private long detectDeadline = Long.MAX_VALUE;
    private long lastRxAt = Long.MIN_VALUE;

    private long xmitAuthSeq;
    private long rcvAuthSeq;
    private boolean authSeqKnown;

    // Counters.
    private long flaps;
    private long detectionEvents;
    private long upTransitions;
    private long rxPackets;
    private long txPackets;
    private long sendErrors;
    private final long[] drops = new long[DropReason.values().length];
    private long lastStateChangeAt;

    public BfdSession(String name, long localDiscriminator, long desiredMinTxMicros, long requiredMinRxMicros,
            int detectMult, BfdAuthentication auth, SessionObserver observer, TxJitter jitter, long now) {
        if (localDiscriminator == 0 || localDiscriminator > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("local discriminator must be a non-zero 32-bit value");
        }
        validateTimers(desiredMinTxMicros, requiredMinRxMicros, detectMult);
        this.name = name;
        this.localDiscriminator = localDiscriminator;
        this.observer = observer;
        this.jitter = jitter;
        this.auth = auth;
        this.digest = auth != null && auth.type().isDigest() ? new AuthDigest() : null;
        this.xmitAuthSeq = (localDiscriminator * 0x9E3779B1L) & 0xFFFF_FFFFL;
        this.configDesiredMinTxMicros = desiredMinTxMicros;
        this.configRequiredMinRxMicros = requiredMinRxMicros;
        this.detectMult = detectMult;
        this.desiredMinTxMicros = Math.max(desiredMinTxMicros, SLOW_TX_MICROS);
        this.requiredMinRxMicros = requiredMinRxMicros;
        this.effectiveDesiredMinTxMicros = this.desiredMinTxMicros;
        this.effectiveRequiredMinRxMicros = requiredMinRxMicros;
        this.nextTxAt = now;
        this.lastStateChangeAt = now;
    }

    static void validateTimers(long desiredMinTxMicros, long requiredMinRxMicros, int detectMult) {
        // RFC 5880 6.8.1: bfd.DesiredMinTxInterval "MUST be nonzero"; 32-bit wire fields.
        if (desiredMinTxMicros <= 0 || desiredMinTxMicros > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("desired min tx must be 1..2^32-1 us: " + desiredMinTxMicros);
        }
        if (requiredMinRxMicros < 0 || requiredMinRxMicros > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("required min rx must be 0..2^32-1 us: " + requiredMinRxMicros);
        }
        if (detectMult < 1 || detectMult > 255) {
            throw new IllegalArgumentException("detect multiplier must be 1..255: " + detectMult);
        }
    }

    // ---------------------------------------------------------------- reception (6.8.6)

    /**
     * Processes a packet that passed the codec checks and was demultiplexed to this session.
     * {@code raw[0..rawLength)} are its bytes, needed for digest authentication.
     *
     * @return null if accepted, else the reason it was discarded (also counted here)
     */
    public synchronized DropReason receive(ControlPacket p, byte[] raw, int rawLength, long now) {
        DropReason authResult = checkAuthentication(p, raw, rawLength, now);
        if (authResult != null) {
            drops[authResult.ordinal()]++;
            return authResult;
        }
        rxPackets++;
        lastRxAt = now;
        remoteDiscriminator = p.myDiscriminator;
        remoteState = p.state;
        remoteDemand = p.demand;
        remoteDesiredMinTxMicros = p.desiredMinTxMicros;
        remoteDetectMult = p.detectMult;
        // Required Min Echo RX is ignored: this implementation has no Echo function.
        long oldTxInterval = txIntervalMicros();
        remoteMinRxMicros = p.requiredMinRxMicros;

        // RFC 5880 6.8.6: "If the Final (F) bit is set and a Poll Sequence is in progress,
        // the Poll Sequence MUST be terminated."
        if (p.fin && pollActive) {
            terminatePoll(now);
        }
        // RFC 5880 6.8.4/6.8.6: the detection timer restarts on every accepted packet.
        detectDeadline = now + detectionTimeMicros() * 1000;
        long newTxInterval = txIntervalMicros();
        if (newTxInterval < oldTxInterval && nextTxAt > now + newTxInterval * 1000) {
            // RFC 5880 6.8.7: a faster rate takes effect now, not after the old interval.
            nextTxAt = now + jitter.apply(newTxInterval * 1000, detectMult);
        }

        // RFC 5880 6.8.6: "If bfd.SessionState is AdminDown, discard the packet."
        if (state == BfdState.ADMIN_DOWN) {
            drops[DropReason.LOCAL_ADMIN_DOWN.ordinal()]++;
            return DropReason.LOCAL_ADMIN_DOWN;
        }
        if (p.state == BfdState.ADMIN_DOWN) {
            if (state != BfdState.DOWN) {
                transition(BfdState.DOWN, Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, now);
            }
        } else {
            switch (state) {
                case DOWN -> {
                    if (p.state == BfdState.DOWN) {
                        transition(BfdState.INIT, Diagnostic.NONE, now);
                    } else if (p.state == BfdState.INIT) {
                        transition(BfdState.UP, Diagnostic.NONE, now);
                    }
                }
                case INIT -> {
                    if (p.state == BfdState.INIT || p.state == BfdState.UP) {
                        transition(BfdState.UP, Diagnostic.NONE, now);
                    }
                }
                case UP -> {
                    if (p.state == BfdState.DOWN) {
                        transition(BfdState.DOWN, Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, now);
                    }
                }
                default -> { }
            }
        }
        // RFC 5880 6.8.6: "If the Poll (P) bit is set, send a Control packet to the remote
        // system with the Poll (P) bit clear, and the Final (F) bit set".
        if (p.poll) {
            finalPending = true;
            observer.transmitSoon(this);
        }
        return null;
    }

    private DropReason checkAuthentication(ControlPacket p, byte[] raw, int rawLength, long now) {
        // RFC 5880 6.8.6: "If the A bit is set and no authentication is in use (bfd.AuthType
        // is zero), the packet MUST be discarded." and the converse.
        if (auth == null) {
            return p.authPresent ? DropReason.AUTH_UNEXPECTED : null;
        }
        if (!p.authPresent) {
            return DropReason.AUTH_MISSING;
        }
        AuthType type = auth.type();
        if (p.authTypeCode != type.code() || p.authKeyId != auth.keyId()) {
            return DropReason.AUTH_TYPE_OR_KEY_MISMATCH;
        }
        byte[] key = auth.keyUnsafe();
        if (type == AuthType.SIMPLE_PASSWORD) {
            // RFC 5880 6.7.2: the password must match exactly, length included.
            if (p.authDataLength != key.length
                    || !Arrays.equals(p.authData, 0, key.length, key, 0, key.length)) {
                return DropReason.AUTH_BAD_PASSWORD;
            }
            return null;
        }
        // RFC 5880 6.7.3: bfd.AuthSeqKnown "MUST be set to zero after no packets have been
        // received on this session for at least twice the Detection Time".
        if (authSeqKnown && lastRxAt != Long.MIN_VALUE
                && now - lastRxAt > 2 * Math.max(detectionTimeMicros(), SLOW_TX_MICROS) * 1000) {
            authSeqKnown = false;
        }
        if (authSeqKnown) {
            long window = 3L * p.detectMult;
            long ahead = (p.authSequence - rcvAuthSeq) & 0xFFFF_FFFFL;
            // 6.7.3 keyed: rcv..rcv+3*DetectMult inclusive; meticulous: rcv+1..rcv+3*DetectMult.
            boolean inWindow = type.meticulous() ? ahead >= 1 && ahead <= window : ahead <= window;
            if (!inWindow) {
                return DropReason.AUTH_BAD_SEQUENCE;
            }
        }
        if (!digest.verify(type, raw, rawLength, key)) {
            return DropReason.AUTH_BAD_DIGEST;
        }
        rcvAuthSeq = p.authSequence;
        authSeqKnown = true;
        return null;
    }

    // ---------------------------------------------------------------- timers (6.8.4, 6.8.7)

    /**
     * The timer thread's tick: expires the detection timer if due.
     *
     * @return true if a packet should be transmitted now (then call {@link #nextPacket})
     */
    public synchronized boolean pollTimers(long now) {
        if (now - detectDeadline >= 0 && detectDeadline != Long.MAX_VALUE) {
            detectionExpired(now);
        }
        if (finalPending || packetPending) {
            return true;
        }
        return periodicAllowed() && now - nextTxAt >= 0;
    }

    /** True when the detection timer has run out at {@code now} (checked before {@link #pollTimers}). */
    public synchronized boolean detectionDue(long now) {
        return detectDeadline != Long.MAX_VALUE && now - detectDeadline >= 0;
    }

    /** The earliest time this session needs the timer thread again. */
    public synchronized long nextDeadline() {
        long next = detectDeadline;
        if (finalPending || packetPending) {
            return Long.MIN_VALUE;
        }
        if (periodicAllowed() && nextTxAt - next < 0) {
            next = nextTxAt;
        }
        return next;
    }

    private boolean periodicAllowed() {
        // RFC 5880 6.8.7: "A system MUST NOT transmit BFD Control packets if
        // bfd.RemoteDiscr is zero and the system is taking the Passive role" (we are always
        // Active), nor "if bfd.RemoteMinRxInterval is zero", nor periodically when the
        // remote is in Demand mode with both sides Up and no Poll Sequence outstanding.
        if (remoteMinRxMicros == 0) {
            return false;
        }
        return !(remoteDemand && state == BfdState.UP && remoteState == BfdState.UP && !pollActive);
    }

    private void detectionExpired(long now) {
        detectDeadline = Long.MAX_VALUE;
        if (state == BfdState.INIT || state == BfdState.UP) {
            detectionEvents++;
            transition(BfdState.DOWN, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, now);
        }
        // RFC 5880 6.8.1: bfd.RemoteDiscr "MUST be reset to zero" when packets stop for a
        // Detection Time; the remote's other variables go back to their initial values.
        remoteDiscriminator = 0;
        remoteState = BfdState.DOWN;
        remoteMinRxMicros = 1;
        remoteDemand = false;
    }

    /**
     * Fills {@code p} with the packet to send now (RFC 5880 6.8.7) and books it as sent at
     * {@code now}: pending Final/extra packets are cleared and, for a periodic packet, the
     * next one is scheduled with jitter. Caller then encodes, {@link #sign}s and sends it.
     */
    public synchronized void nextPacket(ControlPacket p, long now) {
        p.clear();
        p.diagnostic = localDiag;
        p.state = state;
        // RFC 5880 6.8.7: "A system MUST NOT set the Demand (D) bit" unless in Demand mode,
        // and "MUST NOT set both the Poll (P) and Final (F) bits".
        p.fin = finalPending;
        p.poll = pollActive && !finalPending;
        p.detectMult = detectMult;
        p.myDiscriminator = localDiscriminator;
        p.yourDiscriminator = remoteDiscriminator;
        p.desiredMinTxMicros = desiredMinTxMicros;
        p.requiredMinRxMicros = requiredMinRxMicros;
        p.requiredMinEchoRxMicros = 0; // no Echo function
        if (auth != null) {
            p.authPresent = true;
            p.authTypeCode = auth.type().code();
            p.authKeyId = auth.keyId();
            byte[] key = auth.keyUnsafe();
            System.arraycopy(key, 0, p.authData, 0, key.length);
            if (auth.type() == AuthType.SIMPLE_PASSWORD) {
                p.authDataLength = key.length;
            } else {
                p.authDataLength = auth.type().digestLength();
                // RFC 5880 6.7.3/6.7.4: incremented for every packet, which satisfies both
                // the keyed ("occasionally") and meticulous ("every packet") rules.
                xmitAuthSeq = (xmitAuthSeq + 1) & 0xFFFF_FFFFL;
                p.authSequence = xmitAuthSeq;
            }
        }
        txPackets++;
        boolean wasExtra = finalPending || packetPending;
        finalPending = false;
        packetPending = false;
        if (!wasExtra || now - nextTxAt >= 0) {
            nextTxAt = now + jitter.apply(txIntervalMicros() * 1000, detectMult);
        }
    }

    /** Signs an encoded packet for digest authentication; a no-op otherwise. */
    public synchronized void sign(byte[] packet, int length) {
        if (digest != null) {
            digest.sign(auth.type(), packet, length);
        }
    }

    // ---------------------------------------------------------------- administration

    /** Sets AdminDown (diag 7) or leaves it for Down. */
    public synchronized void setAdminDown(boolean adminDown, long now) {
        if (adminDown && state != BfdState.ADMIN_DOWN) {
            detectDeadline = Long.MAX_VALUE;
            transition(BfdState.ADMIN_DOWN, Diagnostic.ADMINISTRATIVELY_DOWN, now);
        } else if (!adminDown && state == BfdState.ADMIN_DOWN) {
            transition(BfdState.DOWN, Diagnostic.ADMINISTRATIVELY_DOWN, now);
        }
    }

    /**
     * Changes the timers at runtime. RFC 5880 6.8.3: "If either bfd.DesiredMinTxInterval is
     * changed or bfd.RequiredMinRxInterval is changed, a Poll Sequence MUST be initiated".
     */
    public synchronized void updateTimers(long desiredMinTx, long requiredMinRx, int mult, long now) {
        validateTimers(desiredMinTx, requiredMinRx, mult);
        configDesiredMinTxMicros = desiredMinTx;
        configRequiredMinRxMicros = requiredMinRx;
        boolean multChanged = mult != detectMult;
        detectMult = mult;
        boolean changed = applyAdvertised(now);
        if (changed || multChanged) {
            startPoll(now);
        }
    }

    /**
     * Recomputes the advertised values from the configuration and state, applying each to
     * the in-effect values at once unless 6.8.3 says it must wait for the Poll Sequence.
     */
    private boolean applyAdvertised(long now) {
        long newTx = state == BfdState.UP ? configDesiredMinTxMicros
                : Math.max(configDesiredMinTxMicros, SLOW_TX_MICROS);
        long newRx = configRequiredMinRxMicros;
        boolean changed = newTx != desiredMinTxMicros || newRx != requiredMinRxMicros;
        long oldTxInterval = txIntervalMicros();
        desiredMinTxMicros = newTx;
        requiredMinRxMicros = newRx;
        // 6.8.3: "If bfd.DesiredMinTxInterval is increased and bfd.SessionState is Up, the
        // actual transmission interval used MUST NOT change until the Poll Sequence ... has
        // terminated."
        if (state != BfdState.UP || newTx < effectiveDesiredMinTxMicros) {
            effectiveDesiredMinTxMicros = newTx;
        }
        // 6.8.3: "If bfd.RequiredMinRxInterval is reduced and bfd.SessionState is Up, the
        // previous value ... MUST be used when calculating the Detection Time for the remote
        // system until the Poll Sequence ... has terminated."
        if (state != BfdState.UP || newRx > effectiveRequiredMinRxMicros) {
            effectiveRequiredMinRxMicros = newRx;
            if (detectDeadline != Long.MAX_VALUE && lastRxAt != Long.MIN_VALUE) {
                detectDeadline = lastRxAt + detectionTimeMicros() * 1000;
            }
        }
        long newTxInterval = txIntervalMicros();
        if (newTxInterval < oldTxInterval && nextTxAt - (now + newTxInterval * 1000) > 0) {
            nextTxAt = now + jitter.apply(newTxInterval * 1000, detectMult);
        }
        return changed;
    }

    private void startPoll(long now) {
        if (pollActive) {
            // A new Poll Sequence starts only after the outstanding one ends (6.8.3).
            pollPending = true;
            return;
        }
        pollActive = true;
        packetPending = true;
        observer.transmitSoon(this);
    }

    private void terminatePoll(long now) {
        pollActive = false;
        effectiveDesiredMinTxMicros = desiredMinTxMicros;
        effectiveRequiredMinRxMicros = requiredMinRxMicros;
        if (pollPending) {
            pollPending = false;
            startPoll(now);
        }
    }

    // ---------------------------------------------------------------- transitions

    private void transition(BfdState to, Diagnostic diag, long now) {
        BfdState from = state;
        state = to;
        localDiag = to == BfdState.UP ? Diagnostic.NONE : diag;
        lastStateChangeAt = now;
        if (to == BfdState.UP) {
            upTransitions++;
        }
        if (from == BfdState.UP) {
            flaps++;
        }
        if (from == BfdState.UP || to == BfdState.UP) {
            if (to != BfdState.UP) {
                // Leaving Up: a Poll Sequence confirming Up-time intervals is moot (6.8.3
                // restrictions apply only while Up), so the slow rate takes effect now.
                pollActive = false;
                pollPending = false;
            }
            if (applyAdvertised(now) && to == BfdState.UP) {
                // Going Up lowers bfd.DesiredMinTxInterval from the 1 s slow rate: poll.
                startPoll(now);
            }
        }
        LOG.info("bfd {}: {} -> {} ({})", name, from.displayName(), to.displayName(), diag.text());
        packetPending = true;
        observer.stateChanged(this, from, to, diag, now);
        observer.transmitSoon(this);
    }

    // ---------------------------------------------------------------- derived values

    /** RFC 5880 6.8.7: the larger of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval. */
    private long txIntervalMicros() {
        return Math.max(effectiveDesiredMinTxMicros, remoteMinRxMicros);
    }

    /**
     * RFC 5880 6.8.4: "the Detection Time calculated in the local system is equal to the
     * value of Detect Mult received from the remote system, multiplied by the agreed
     * transmit interval of the remote system (the greater of bfd.RequiredMinRxInterval and
     * the last received Desired Min TX Interval)."
     */
    private long detectionTimeMicros() {
        return (long) remoteDetectMult * Math.max(effectiveRequiredMinRxMicros, remoteDesiredMinTxMicros);
    }

    // ---------------------------------------------------------------- accessors

    public long localDiscriminator() {
        return localDiscriminator;
    }

    public String name() {
        return name;
    }

    public synchronized BfdState state() {
        return state;
    }

    public synchronized BfdState remoteState() {
        return remoteState;
    }

    public synchronized Diagnostic localDiagnostic() {
        return localDiag;
    }

    public synchronized long lastRxAt() {
        return lastRxAt;
    }

    /**
     * Everything a status reader wants, read under the session's lock once, so the values agree
     * with each other (and readers do not take the lock thirty times).
     */
    public synchronized Snapshot snapshot() {
        return new Snapshot(state, remoteState, remoteDiscriminator, localDiag, pollActive, desiredMinTxMicros, requiredMinRxMicros,
                remoteMinRxMicros, remoteDesiredMinTxMicros, detectMult, remoteDetectMult, detectDeadline, nextTxAt, lastRxAt,
                lastStateChangeAt, flaps, detectionEvents, upTransitions, rxPackets, txPackets, sendErrors, drops.clone(),
                txIntervalMicros(), detectionTimeMicros());
    }

    /**
     * One session's state and counters at one moment ({@link #snapshot}).
     *
     * @param advertisedDesiredMinTxMicros  the Desired Min TX Interval we send (bfd.DesiredMinTxInterval)
     * @param advertisedRequiredMinRxMicros the Required Min RX Interval we send (bfd.RequiredMinRxInterval)
     * @param drops                         per {@link DropReason} ordinal
     */
    public record Snapshot(BfdState state, BfdState remoteState, long remoteDiscriminator, Diagnostic localDiagnostic,
            boolean pollActive, long advertisedDesiredMinTxMicros, long advertisedRequiredMinRxMicros, long remoteMinRxMicros,
            long remoteDesiredMinTxMicros, int detectMult, int remoteDetectMult, long detectDeadline, long nextTxAt, long lastRxAt,
            long lastStateChangeAt, long flaps, long detectionEvents, long upTransitions, long rxPackets, long txPackets,
            long sendErrors, long[] dropCounts, long txIntervalMicros, long detectionTimeMicros) {
        public long drops(DropReason reason) {
            return dropCounts[reason.ordinal()];
        }
    }

    /** Counts a packet the kernel refused to send. */
    public synchronized void countSendError() {
        sendErrors++;
    }

    /** Counts a drop decided outside the session (e.g. TTL) but attributable to it. */
    public synchronized void countDrop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    public BfdAuthentication authentication() {
        return auth;
    }
}
