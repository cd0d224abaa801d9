/**
 * One BGP session per neighbor: the RFC 4271 section 8 finite state machine with its timers,
 * OPEN negotiation (capabilities, hold time, 4-octet AS), collision detection (6.8),
 * graceful restart as helper and restarting speaker (RFC 4724) and for NOTIFICATION messages
 * (RFC 8538: the N bit, Hard Reset), DelayOpen (RFC 4271 8.1.1), the send hold timer
 * (RFC 9687), the BFD gate (RFC 5882 4.1: a BFD Down ends the session with Cease / BFD
 * Down of RFC 9384 and holds it Idle until BFD is Up; strict mode per
 * draft-ietf-idr-bgp-bfd-strict-mode), and the {@link io.gannet.bgp.rib.PeerLink} the RIB gets
 * for an Established session.
 *
 * <p>Threading: everything here runs on the speaker's single event loop, which also owns
 * the RIB; no locks. Time comes from a {@link io.gannet.bgp.session.Scheduler}, so tests
 * drive the FSM with a manual clock. Sockets are reached only through
 * {@link io.gannet.bgp.session.Connection} and {@link io.gannet.bgp.session.Connector},
 * implemented by the transport package.
 */
package io.gannet.bgp.session;
