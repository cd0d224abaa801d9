/**
 * An ExaBGP-compatible text API (ExaBGP 4 process API, {@code encoder text}, {@code ack} on):
 * {@code announce route PREFIX next-hop self [med N] [local-preference N] [origin O]
 * [community [..]] [large-community [..]]} and {@code withdraw route PREFIX}, on a Unix socket
 * ({@link io.gannet.l4lb.exabgp.ExaSocketServer}) or from a script's stdout the way ExaBGP's
 * {@code process} runs it ({@link io.gannet.l4lb.exabgp.ExaProcess}). One ack per line:
 * {@code done} or {@code error}; a bad line changes nothing and keeps the connection.
 * Threads: virtual threads per connection/process; the route sink hops onto the speaker loop.
 */
package io.gannet.l4lb.exabgp;
