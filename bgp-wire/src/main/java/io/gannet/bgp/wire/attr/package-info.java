/**
 * The UPDATE message and its path attributes as bytes and values: decoding (RFC 4271 4.3 and 5,
 * RFC 4760 MP_REACH/MP_UNREACH for IPv4/IPv6 unicast with RFC 2545 next hops, RFC 6793 AS4_PATH
 * merging, RFC 1997/4360/8092 communities, RFC 4456 ORIGINATOR_ID/CLUSTER_LIST), RFC 7606 error
 * handling with RFC 7607 (AS 0) and RFC 5065 5 (confederation segments from an external peer),
 * its classification as {@link io.gannet.bgp.wire.attr.UpdateError} values, interning of attribute
 * sets, and packed encoding of outgoing UPDATEs.
 *
 * <p>Pure: ByteBuf in, values or callbacks out; no I/O, clock or logging. Prefixes never become
 * objects on the hot path: {@link io.gannet.bgp.wire.attr.UpdateDecoder} hands them to an
 * {@link io.gannet.bgp.wire.attr.UpdateHandler} as primitives, and identical attribute sets
 * are one {@link io.gannet.bgp.wire.attr.PathAttributes} with one id.
 *
 * <p>Threading: values are immutable; decoder, writer, builder and interner are single-owner
 * objects (the speaker's event loop), unsynchronized by design.
 */
package io.gannet.bgp.wire.attr;
