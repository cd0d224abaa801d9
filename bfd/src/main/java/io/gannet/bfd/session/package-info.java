/**
 * One BFD session's state machine (RFC 5880 6.2 and 6.8): states AdminDown/Down/Init/Up
 * with diagnostics, the Poll/Final sequence for timer changes (6.8.3), detection time
 * (6.8.4), reception rules (6.8.6), transmission rules and jitter (6.8.7) and the
 * authentication sequence-number rules (6.7).
 *
 * <p>The session is passive: it never reads a clock nor owns a thread. The service's timer
 * thread calls {@code pollTimers/nextPacket} and the receive thread calls
 * {@code receive}, each with the current time from an injected {@link
 * io.gannet.bfd.session.BfdClock}; tests drive it the same way with a manual time. Each
 * session is its own monitor; its critical sections are short and allocation-free.
 */
package io.gannet.bfd.session;
