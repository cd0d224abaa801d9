/**
 * The UPDATE message and its path attributes as bytes and values: decoding (RFC 4271 4.3 and 5,
 * RFC 4760 MP_REACH/MP_UNREACH for IPv4/IPv6 unicast with RFC 2545 next hops, RFC 6793 AS4_PATH
 * merging, RFC 1997/4360/8092 communities, RFC 4456 ORIGINATOR_ID/CLUSTER_LIST), RFC 7606 error
 * handling with RFC 7607 (AS 0) and RFC 5065 5 (confederation segments from an external peer),
 * its classification as {@link io.gannet.bgp.wire.attr.UpdateError} values, interning of attribute
 * sets, and packed encoding of outgoing UPDATEs.
 *
 * <p>Structure. What Gannet knows per attribute type is one table, after BIRD's
 * {@code bgp_attr_table}: {@code AttributeTable} holds one {@code AttributeSpec} row per known
 * type code (name, Optional/Transitive flags, length rule, RFC 7606 action and subcodes when
 * malformed, whether it is read from this peer at all, whether it locates NLRI or is mandatory,
 * and its decode and encode steps). {@link io.gannet.bgp.wire.attr.UpdateDecoder} frames the
 * message, walks the attributes, runs the checks every row shares and then the row's decode step;
 * {@link io.gannet.bgp.wire.attr.AttributeEncoder} lets the rows write themselves in type-code
 * order. The steps live in small codec classes named for the attributes they own
 * ({@code BasicAttributeCodec}, {@code AsPathCodec}, {@code AggregatorCodec},
 * {@code CommunityCodec}, {@code ReflectionCodec}, {@code MpNlriCodec}); {@code As4Merge} rebuilds
 * the true path from AS4_PATH; {@link io.gannet.bgp.wire.attr.UpdateWriter} writes MP_REACH and
 * MP_UNREACH itself, around the prefixes it packs.
 *
 * <p>Pure: ByteBuf in, values or callbacks out; no I/O, clock or logging. Prefixes never become
 * objects on the hot path: {@link io.gannet.bgp.wire.attr.UpdateDecoder} hands them to an
 * {@link io.gannet.bgp.wire.attr.UpdateHandler} as primitives, and identical attribute sets
 * are one {@link io.gannet.bgp.wire.attr.PathAttributes} with one id. The table's steps are
 * static methods bound once: a clean UPDATE allocates nothing more than before.
 *
 * <p>Threading: values are immutable and the table never changes after class initialisation;
 * decoder, writer, builder and interner are single-owner objects (the speaker's event loop),
 * unsynchronized by design.
 */
package io.gannet.bgp.wire.attr;
