/**
 * BFD's UDP transport on raw sockets through linux-sys's libc binding ({@link
 * io.gannet.linux.LibC}, jnr-ffi): the JDK can neither set a unicast TTL of 255 nor read a
 * datagram's TTL, both required by RFC 5881 5 (single-hop, UDP 3784, "MUST be discarded"
 * unless TTL 255) and used by RFC 5883 (multihop, UDP 4784).
 *
 * <p>Threads: sockets are opened by the service's timer thread (which may first enter a
 * network namespace with {@link io.gannet.linux.Netns#enterOnThisThread}; a socket keeps its
 * namespace); one receive thread owns
 * a {@link io.gannet.bfd.transport.DatagramReader} and polls the listening sockets; each
 * session's sending socket is used only by the timer thread. Native buffers are allocated
 * once and reused.
 */
package io.gannet.bfd.transport;
