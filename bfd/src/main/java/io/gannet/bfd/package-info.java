/**
 * BFD as a service for other modules (RFC 5880/5881/5883, the shape of BIRD's nest/bfd.h):
 * {@link io.gannet.bfd.BfdService#request} returns a {@link io.gannet.bfd.BfdSessionHandle}
 * and reports state changes to a {@link io.gannet.bfd.BfdListener}. BFD never sees its
 * clients' protocols; the agent binds BGP to it (RFC 5882, RFC 9384 Cease subcode 10).
 *
 * <p>Threads and locking are described on {@link io.gannet.bfd.BfdService}: a dedicated
 * timer thread owns transmission and detection, a receive thread demultiplexes packets, a
 * notification thread calls listeners; sessions are monitors with short critical sections.
 * Packages in data-flow order: {@code wire} -> {@code session} -> {@code transport}, plus
 * {@code damping} for clients.
 */
package io.gannet.bfd;
