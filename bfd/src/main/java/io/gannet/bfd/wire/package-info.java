/**
 * BFD wire format (RFC 5880 section 4): the Control packet flyweight, its codec with the
 * session-independent reception checks of RFC 5880 6.8.6, and the keyed MD5/SHA1 digest
 * helper of RFC 5880 6.7.
 *
 * <p>Pure code: no I/O, no clock, no logging, no shared state. Every class here is used by
 * one thread at a time (the receive thread decodes into its own {@link
 * io.gannet.bfd.wire.ControlPacket}, the timer thread encodes from its own), and nothing
 * allocates per packet. Every discard is a named {@link io.gannet.bfd.wire.DropReason}.
 */
package io.gannet.bfd.wire;
