/**
 * TCP for BGP on netty epoll: one event loop owns the listener, every connection, every
 * session and the RIB, which is why nothing in the speaker takes a lock. Framing
 * ({@link io.gannet.bgp.transport.BgpFrameDecoder}) hands whole messages as slices to the
 * session layer; TCP MD5 (RFC 2385) through netty's TCP_MD5SIG option; GTSM (RFC 5082) and
 * the eBGP TTL through setsockopt via jnr-ffi; source addresses per peer; writability as
 * backpressure towards the RIB.
 */
package io.gannet.bgp.transport;
