package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.*;
import static io.gannet.bgp.wire.attr.UpdateError.*;

import io.gannet.bgp.wire.attr.UpdateError.Action;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Decodes an UPDATE body (RFC 4271 4.3) straight from the ByteBuf into an {@link UpdateHandler}:
 * no copy of the message, no object per prefix, and (when the attribute set is already interned)
 * no allocation at all.
 *
 * <pre>
 * +-----------------------------------------------------+
 * |   Withdrawn Routes Length (2 octets)                |
 * +-----------------------------------------------------+
 * |   Withdrawn Routes (variable)                       |
 * +-----------------------------------------------------+
 * |   Total Path Attribute Length (2 octets)            |
 * +-----------------------------------------------------+
 * |   Path Attributes (variable)                        |
 * +-----------------------------------------------------+
 * |   Network Layer Reachability Information (variable) |
 * +-----------------------------------------------------+
 * prefix = length (1 octet, bits) + ceil(length / 8) octets of address
 * </pre>
 *
 * <p>Errors follow RFC 7606: the message is first checked so that a session reset delivers
 * nothing; attribute errors are classified per attribute (section 7); the most severe outcome is
 * returned. Treat-as-withdraw delivers every prefix of the UPDATE as a withdrawal.
 *
 * <p>Threading: one instance per owner thread (it reuses scratch buffers).
 */
public final class UpdateDecoder {
    private final AttributeInterner interner;
    private final AttributesBuilder attrs = new AttributesBuilder();
    private final long[] seen = new long[4]; // attribute type codes seen in this UPDATE
    private byte[] scratch = new byte[4096];
    private final As4Merge as4 = new As4Merge();
    private UpdateError error;

    // MP_REACH / MP_UNREACH NLRI located during the attribute pass.
    private boolean ipv4NextHop6;   // this UPDATE's session negotiated RFC 8950 for IPv4 unicast
    private int mpReachAfi;
    private int mpReachSafi;
    private int mpReachNlriStart;
    private int mpReachNlriEnd;
    private int mpUnreachAfi;
    private int mpUnreachSafi;
    private int mpUnreachStart;
    private int mpUnreachEnd;

    public UpdateDecoder(AttributeInterner interner) {
        this.interner = interner;
    }

    /**
     * Decodes one UPDATE body. Reader index is not moved.
     *
     * @param fourOctetAs whether the session negotiated RFC 6793 (AS_PATH ASNs are 4 octets)
     * @param ibgp        whether the peer is internal (LOCAL_PREF is honoured only from iBGP, RFC 7606 7.5)
     * @return null when the UPDATE was clean, otherwise the most severe error found; routes have
     *         been delivered as that error's action says
     */
    public UpdateError decode(ByteBuf body, boolean fourOctetAs, boolean ibgp, UpdateHandler handler) {
        return decode(body, fourOctetAs, ibgp, false, handler);
    }

    /**
     * As {@link #decode(ByteBuf, boolean, boolean, UpdateHandler)}, on a session that negotiated
     * RFC 8950 when {@code ipv4NextHop6}: IPv4 NLRI in MP_REACH_NLRI may then carry a 16- or
     * 32-octet IPv6 next hop (kept as the attributes' IPv6 next hop).
     */
    public UpdateError decode(ByteBuf body, boolean fourOctetAs, boolean ibgp, boolean ipv4NextHop6, UpdateHandler handler) {
        this.ipv4NextHop6 = ipv4NextHop6;
        error = null;
        int start = body.readerIndex();
        int end = body.writerIndex();
        if (end - start < 4) {
            return reset(MALFORMED_ATTRIBUTE_LIST, null, "UPDATE shorter than 4 octets");
        }
        int withdrawnLen = body.getUnsignedShort(start);
        int withdrawnStart = start + 2;
        int withdrawnEnd = withdrawnStart + withdrawnLen;
        // RFC 4271 6.3: lengths that overrun the message are a Malformed Attribute List.
        if (withdrawnEnd + 2 > end) {
            return reset(MALFORMED_ATTRIBUTE_LIST, null, "Withdrawn Routes Length overruns the message");
        }
        int attrLen = body.getUnsignedShort(withdrawnEnd);
        int attrStart = withdrawnEnd + 2;
        int attrEnd = attrStart + attrLen;
        if (attrEnd > end) {
            return reset(MALFORMED_ATTRIBUTE_LIST, null, "Total Path Attribute Length overruns the message");
        }
        int nlriStart = attrEnd;
        int nlriEnd = end;
        // RFC 7606 5.3: prefixes that cannot be parsed make the NLRI impossible to locate: reset.
        if (!validPrefixes(body, withdrawnStart, withdrawnEnd, 32)) {
            return reset(INVALID_NETWORK_FIELD, null, "malformed Withdrawn Routes prefix");
        }
        if (!validPrefixes(body, nlriStart, nlriEnd, 32)) {
            return reset(INVALID_NETWORK_FIELD, null, "malformed NLRI prefix");
        }

        parseAttributes(body, attrStart, attrEnd, fourOctetAs, ibgp);
        if (error != null && error.action() == Action.SESSION_RESET) {
            return error;
        }
        boolean hasNlri = nlriEnd > nlriStart;
        boolean hasMpReach = mpReachAfi != 0;
        boolean mpReachNlri = hasMpReach && mpReachNlriEnd > mpReachNlriStart;

        if (!fourOctetAs) {
            as4.mergeInto(attrs);
        }
        // RFC 7606 3.d: a missing well-known mandatory attribute means treat-as-withdraw.
        if (hasNlri || mpReachNlri) {
            if (!attrs.has(PathAttributes.HAS_ORIGIN)) {
                raise(Action.TREAT_AS_WITHDRAW, MISSING_WELL_KNOWN, new byte[] {ORIGIN}, "ORIGIN missing");
            } else if (!attrs.has(PathAttributes.HAS_AS_PATH)) {
                raise(Action.TREAT_AS_WITHDRAW, MISSING_WELL_KNOWN, new byte[] {AS_PATH}, "AS_PATH missing");
            } else if (hasNlri && !attrs.has(PathAttributes.HAS_NEXT_HOP)) {
                raise(Action.TREAT_AS_WITHDRAW, MISSING_WELL_KNOWN, new byte[] {NEXT_HOP}, "NEXT_HOP missing");
            }
        }

        // Withdrawals first.
        deliver(body, withdrawnStart, withdrawnEnd, false, false, null, handler);
        if (mpUnreachAfi != 0) {
            deliverMp(body, mpUnreachAfi, mpUnreachSafi, mpUnreachStart, mpUnreachEnd, null, handler);
        }
        boolean withdrawAll = error != null && error.action() == Action.TREAT_AS_WITHDRAW;
        PathAttributes interned = null;
        if (!withdrawAll && (hasNlri || mpReachNlri)) {
            interned = interner.intern(attrs);
        }
        deliver(body, nlriStart, nlriEnd, false, !withdrawAll, interned, handler);
        if (mpReachNlri) {
            deliverMp(body, mpReachAfi, mpReachSafi, mpReachNlriStart, mpReachNlriEnd, interned, handler);
        }

        // RFC 4724 2: End-of-RIB is an empty UPDATE (IPv4) or one holding only an empty MP_UNREACH_NLRI.
        if (error == null && withdrawnLen == 0 && !hasNlri && !hasMpReach) {
            if (attrLen == 0) {
                handler.endOfRib(1, 1);
            } else if (mpUnreachAfi != 0 && mpUnreachStart == mpUnreachEnd && onlyMpUnreachSeen()) {
                handler.endOfRib(mpUnreachAfi, mpUnreachSafi);
            }
        }
        return error;
    }

    private boolean onlyMpUnreachSeen() {
        return seen[0] == (1L << MP_UNREACH_NLRI) && seen[1] == 0 && seen[2] == 0 && seen[3] == 0;
    }

    private void deliverMp(ByteBuf body, int afi, int safi, int from, int to, PathAttributes a, UpdateHandler h) {
        if (safi != 1 || (afi != 1 && afi != 2)) {
            return; // families we do not carry were not negotiated; RFC 4760 6 lets us ignore them
        }
        deliver(body, from, to, afi == 2, a != null, a, h);
    }

    /** Walks a validated prefix list, handing each prefix to the handler as primitives. */
    private void deliver(ByteBuf body, int from, int to, boolean v6, boolean announce, PathAttributes a,
                         UpdateHandler h) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        byte[] b;
        int i;
        int end;
        if (body.hasArray()) {
            b = body.array();
            i = body.arrayOffset() + from;
        } else {
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, scratch.length * 2)];
            }
            body.getBytes(from, scratch, 0, n); // one bulk copy, then plain array reads
            b = scratch;
            i = 0;
        }
        end = i + n;
        if (!v6) {
            while (i < end) {
                int len = b[i++] & 0xFF;
                int addr = 0;
                int bytes = (len + 7) >>> 3;
                for (int k = 0; k < bytes; k++) {
                    addr |= (b[i + k] & 0xFF) << (24 - 8 * k);
                }
                i += bytes;
                if (len < 32) {
                    addr &= len == 0 ? 0 : -1 << (32 - len);
                }
                if (announce) {
                    h.announce4(addr, len, a);
                } else {
                    h.withdraw4(addr, len);
                }
            }
        } else {
            while (i < end) {
                int len = b[i++] & 0xFF;
                int bytes = (len + 7) >>> 3;
                long hi = 0;
                long lo = 0;
                for (int k = 0; k < bytes; k++) {
                    long v = b[i + k] & 0xFFL;
                    if (k < 8) {
                        hi |= v << (56 - 8 * k);
                    } else {
                        lo |= v << (120 - 8 * k);
                    }
                }
                i += bytes;
                hi &= Prefix.mask64(len);
                lo &= Prefix.mask64(len - 64);
                if (announce) {
                    h.announce6(hi, lo, len, a);
                } else {
                    h.withdraw6(hi, lo, len);
                }
            }
        }
    }

    /** RFC 4271 4.3: each prefix length fits the family and its octets fit the field. */
    static boolean validPrefixes(ByteBuf body, int from, int to, int maxBits) {
        int i = from;
        while (i < to) {
            int len = body.getUnsignedByte(i);
            if (len > maxBits) {
                return false;
            }
            i += 1 + ((len + 7) >>> 3);
        }
        return i == to;
    }

    private void parseAttributes(ByteBuf body, int from, int to, boolean fourOctetAs, boolean ibgp) {
        attrs.clear();
        Arrays.fill(seen, 0);
        as4.reset();
        mpReachAfi = 0;
        mpUnreachAfi = 0;
        int i = from;
        while (i < to) {
            int attrIndex = i;
            if (to - i < 3) {
                raise(Action.TREAT_AS_WITHDRAW, ATTRIBUTE_LENGTH_ERROR, null, "truncated attribute header");
                return;
            }
            int flags = body.getUnsignedByte(i);
            int type = body.getUnsignedByte(i + 1);
            boolean extended = (flags & FLAG_EXTENDED_LENGTH) != 0;
            int headerLen = extended ? 4 : 3;
            if (to - i < headerLen) {
                raise(Action.TREAT_AS_WITHDRAW, ATTRIBUTE_LENGTH_ERROR, null, "truncated attribute header");
                return;
            }
            int len = extended ? body.getUnsignedShort(i + 2) : body.getUnsignedByte(i + 2);
            int value = i + headerLen;
            i = value + len;
            if (i > to) {
                // RFC 7606 4: an attribute overrunning the attribute field. NLRI in MP attributes
                // already parsed could be lost silently, so then the session must reset.
                if (mpReachAfi != 0 || mpUnreachAfi != 0 || type == MP_REACH_NLRI || type == MP_UNREACH_NLRI) {
                    raise(Action.SESSION_RESET, ATTRIBUTE_LENGTH_ERROR, null,
                            AttributeType.name(type) + " length overruns the attribute field");
                } else {
                    raise(Action.TREAT_AS_WITHDRAW, ATTRIBUTE_LENGTH_ERROR, null,
                            AttributeType.name(type) + " length overruns the attribute field");
                }
                return;
            }
            // RFC 7606 3.g: MP_REACH/MP_UNREACH twice is a reset; any other repeat keeps the first.
            long bit = 1L << (type & 63);
            if ((seen[type >>> 6] & bit) != 0) {
                if (type == MP_REACH_NLRI || type == MP_UNREACH_NLRI) {
                    raise(Action.SESSION_RESET, MALFORMED_ATTRIBUTE_LIST, null, AttributeType.name(type) + " repeated");
                    return;
                }
                raise(Action.ATTRIBUTE_DISCARD, MALFORMED_ATTRIBUTE_LIST, null, AttributeType.name(type) + " repeated");
                continue;
            }
            seen[type >>> 6] |= bit;
            int expected = AttributeType.expectedFlags(type);
            boolean flagsOk = expected < 0 || (flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) == expected;
            parseAttribute(body, attrIndex, flags, type, value, len, flagsOk, fourOctetAs, ibgp);
            if (error != null && error.action() == Action.SESSION_RESET) {
                return;
            }
        }
    }

    private void parseAttribute(ByteBuf b, int attrIndex, int flags, int type, int v, int len, boolean flagsOk,
                                boolean fourOctetAs, boolean ibgp) {
        switch (type) {
            case ORIGIN -> {
                // RFC 7606 7.1
                if (!flagsOk || len != 1) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "ORIGIN");
                } else if (b.getUnsignedByte(v) > ORIGIN_INCOMPLETE) {
                    raise(Action.TREAT_AS_WITHDRAW, INVALID_ORIGIN, slice(b, attrIndex, v + len), "ORIGIN value undefined");
                } else {
                    attrs.origin(b.getUnsignedByte(v));
                }
            }
            case AS_PATH -> {
                // RFC 7606 7.2
                if (!flagsOk) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, false, "AS_PATH");
                } else if (!parseAsPath(b, v, len, fourOctetAs ? 4 : 2, attrs)) {
                    attrs.asPathLen = 0;
                    raise(Action.TREAT_AS_WITHDRAW, MALFORMED_AS_PATH, null, "malformed AS_PATH");
                } else if (containsAsZero(attrs.asPath, attrs.asPathLen)) {
                    // RFC 7607 2: AS 0 in AS_PATH is malformed, handled as RFC 7606 7.2 says.
                    raise(Action.TREAT_AS_WITHDRAW, MALFORMED_AS_PATH, null, "AS 0 in AS_PATH");
                } else if (!ibgp && hasConfedSegment(attrs.asPath, attrs.asPathLen)) {
                    // RFC 5065 5 / RFC 7606 3: confederation segments from a peer outside our
                    // confederation (every external peer: we are in none) are malformed.
                    raise(Action.TREAT_AS_WITHDRAW, MALFORMED_AS_PATH, null,
                            "AS_CONFED segment in AS_PATH from an external peer");
                }
            }
            case NEXT_HOP -> {
                // RFC 7606 7.3
                if (!flagsOk || len != 4) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "NEXT_HOP");
                } else if (martian(b.getInt(v))) {
                    // RFC 4271 6.3 "syntactically incorrect" next hop; RFC 7606 7.3 treat-as-withdraw.
                    raise(Action.TREAT_AS_WITHDRAW, INVALID_NEXT_HOP, slice(b, attrIndex, v + len),
                            "NEXT_HOP " + PathAttributes.ipv4String(b.getInt(v)) + " is not a unicast address");
                } else {
                    attrs.nextHop(b.getInt(v));
                }
            }
            case MULTI_EXIT_DISC -> {
                // RFC 7606 7.4
                if (!flagsOk || len != 4) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "MULTI_EXIT_DISC");
                } else {
                    attrs.med(b.getUnsignedInt(v));
                }
            }
            case LOCAL_PREF -> {
                // RFC 7606 7.5: from an external peer it is discarded, without error.
                if (!ibgp) {
                    return;
                }
                if (!flagsOk || len != 4) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "LOCAL_PREF");
                } else {
                    attrs.localPref(b.getUnsignedInt(v));
                }
            }
            case ATOMIC_AGGREGATE -> {
                // RFC 7606 7.6
                if (!flagsOk || len != 0) {
                    malformed(b, attrIndex, v + len, Action.ATTRIBUTE_DISCARD, flagsOk, "ATOMIC_AGGREGATE");
                } else {
                    attrs.atomicAggregate(true);
                }
            }
            case AGGREGATOR -> {
                // RFC 7606 7.7: 6 octets from a 2-octet session, 8 from a 4-octet one.
                int want = fourOctetAs ? 8 : 6;
                if (!flagsOk || len != want) {
                    malformed(b, attrIndex, v + len, Action.ATTRIBUTE_DISCARD, flagsOk, "AGGREGATOR");
                } else if ((fourOctetAs ? b.getInt(v) : b.getUnsignedShort(v)) == 0) {
                    // RFC 7607 2: never propagate a route with AS 0 in AGGREGATOR.
                    raise(Action.TREAT_AS_WITHDRAW, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                            "AS 0 in AGGREGATOR");
                } else if (fourOctetAs) {
                    attrs.aggregator(b.getUnsignedInt(v), b.getInt(v + 4));
                } else {
                    attrs.aggregator(b.getUnsignedShort(v), b.getInt(v + 2));
                }
            }
            case COMMUNITIES -> {
                // RFC 7606 7.8: a non-zero multiple of 4.
                if (!flagsOk || len == 0 || len % 4 != 0) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "COMMUNITIES");
                } else {
                    for (int k = 0; k < len; k += 4) {
                        attrs.rawCommunity(b.getInt(v + k));
                    }
                }
            }
            case ORIGINATOR_ID -> {
                // RFC 7606 7.9; an external peer has no business sending it (RFC 4456 8): discard.
                if (!ibgp) {
                    return;
                }
                if (!flagsOk || len != 4) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "ORIGINATOR_ID");
                } else {
                    attrs.originatorId(b.getInt(v));
                }
            }
            case CLUSTER_LIST -> {
                // RFC 7606 7.10: a non-zero multiple of 4.
                if (!ibgp) {
                    return;
                }
                if (!flagsOk || len == 0 || len % 4 != 0) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "CLUSTER_LIST");
                } else {
                    for (int k = 0; k < len; k += 4) {
                        attrs.rawCluster(b.getInt(v + k));
                    }
                }
            }
            case MP_REACH_NLRI -> parseMpReach(b, attrIndex, v, len, flagsOk);
            case MP_UNREACH_NLRI -> {
                // RFC 7606 7.12 / 5.3: errors here make NLRI impossible to locate: reset.
                if (!flagsOk || len < 3) {
                    raise(Action.SESSION_RESET, flagsOk ? OPTIONAL_ATTRIBUTE_ERROR : ATTRIBUTE_FLAGS_ERROR,
                            slice(b, attrIndex, v + len), "malformed MP_UNREACH_NLRI");
                    return;
                }
                int afi = b.getUnsignedShort(v);
                int safi = b.getUnsignedByte(v + 2);
                if (afi == 0) {
                    afi = -1; // keep "present" distinguishable from "absent"
                }
                int maxBits = afi == 2 ? 128 : 32;
                if ((afi == 1 || afi == 2) && !validPrefixes(b, v + 3, v + len, maxBits)) {
                    raise(Action.SESSION_RESET, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                            "malformed MP_UNREACH_NLRI prefix");
                    return;
                }
                mpUnreachAfi = afi;
                mpUnreachSafi = safi;
                mpUnreachStart = v + 3;
                mpUnreachEnd = v + len;
            }
            case EXTENDED_COMMUNITIES -> {
                // RFC 7606 7.14: a non-zero multiple of 8.
                if (!flagsOk || len == 0 || len % 8 != 0) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "EXTENDED_COMMUNITIES");
                } else {
                    for (int k = 0; k < len; k += 8) {
                        attrs.rawExt(b.getLong(v + k));
                    }
                }
            }
            case AS4_PATH -> {
                // RFC 6793 3: between two 4-octet speakers it is ignored; malformed is discarded (RFC 6793 6).
                if (fourOctetAs) {
                    return;
                }
                AttributesBuilder tmp = as4.pathBuilder();
                if (!flagsOk || !parseAsPath(b, v, len, 4, tmp)) {
                    raise(Action.ATTRIBUTE_DISCARD, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                            "malformed AS4_PATH");
                } else if (containsAsZero(tmp.asPath, tmp.asPathLen)) {
                    // RFC 7607 2: AS 0 in AS4_PATH is malformed; the route is withdrawn, never propagated.
                    raise(Action.TREAT_AS_WITHDRAW, MALFORMED_AS_PATH, slice(b, attrIndex, v + len), "AS 0 in AS4_PATH");
                } else {
                    as4.pathParsed();
                }
            }
            case AS4_AGGREGATOR -> {
                if (fourOctetAs) {
                    return;
                }
                if (!flagsOk || len != 8) {
                    raise(Action.ATTRIBUTE_DISCARD, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                            "malformed AS4_AGGREGATOR");
                } else if (b.getInt(v) == 0) {
                    raise(Action.TREAT_AS_WITHDRAW, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                            "AS 0 in AS4_AGGREGATOR"); // RFC 7607 2
                } else {
                    as4.aggregator(b.getUnsignedInt(v), b.getInt(v + 4));
                }
            }
            case LARGE_COMMUNITY -> {
                // RFC 8092 5 / RFC 7606: a non-zero multiple of 12, else treat-as-withdraw.
                if (!flagsOk || len == 0 || len % 12 != 0) {
                    malformed(b, attrIndex, v + len, Action.TREAT_AS_WITHDRAW, flagsOk, "LARGE_COMMUNITY");
                } else {
                    for (int k = 0; k < len; k += 12) {
                        attrs.rawLarge(b.getInt(v + k), b.getInt(v + k + 4), b.getInt(v + k + 8));
                    }
                }
            }
            default -> {
                if ((flags & FLAG_OPTIONAL) == 0) {
                    // RFC 4271 6.3: an unrecognized well-known attribute.
                    raise(Action.SESSION_RESET, UNRECOGNIZED_WELL_KNOWN, slice(b, attrIndex, v + len),
                            "unrecognized well-known attribute " + type);
                } else if ((flags & FLAG_TRANSITIVE) != 0) {
                    attrs.unknownTransitive(flags, type, b, v, len); // passed on with Partial set (RFC 4271 5)
                }
                // unknown optional non-transitive: quietly ignored (RFC 4271 5)
            }
        }
    }

    /** RFC 7607 2: whether any segment of a parsed path holds AS 0. */
    static boolean containsAsZero(int[] path, int len) {
        for (int i = 0; i + 1 < len; ) {
            int count = path[i + 1];
            for (int k = 0; k < count; k++) {
                if (path[i + 2 + k] == 0) {
                    return true;
                }
            }
            i += 2 + count;
        }
        return false;
    }

    /** Whether a parsed path holds an AS_CONFED_SEQUENCE or AS_CONFED_SET segment (RFC 5065 3). */
    static boolean hasConfedSegment(int[] path, int len) {
        for (int i = 0; i + 1 < len; i += 2 + path[i + 1]) {
            if (path[i] == AS_CONFED_SEQUENCE || path[i] == AS_CONFED_SET) {
                return true;
            }
        }
        return false;
    }

    /** 0.0.0.0/8, multicast 224/4 and the reserved 240/4 (with broadcast) cannot be a next hop. */
    static boolean martian(int address) {
        int first = address >>> 24;
        return first == 0 || first >= 224;
    }

    /**
     * RFC 4760 3 / RFC 2545 3, errors per RFC 7606 7.11.
     * <pre>
     * +---------------------------------------------------------+
     * | Address Family Identifier (2 octets)                    |
     * | Subsequent Address Family Identifier (1 octet)          |
     * | Length of Next Hop Network Address (1 octet)            |
     * | Network Address of Next Hop (variable)                  |
     * | Reserved (1 octet)                                      |
     * | Network Layer Reachability Information (variable)       |
     * +---------------------------------------------------------+
     * </pre>
     */
    private void parseMpReach(ByteBuf b, int attrIndex, int v, int len, boolean flagsOk) {
        if (!flagsOk || len < 5) {
            raise(Action.SESSION_RESET, flagsOk ? OPTIONAL_ATTRIBUTE_ERROR : ATTRIBUTE_FLAGS_ERROR,
                    slice(b, attrIndex, v + len), "malformed MP_REACH_NLRI");
            return;
        }
        int afi = b.getUnsignedShort(v);
        int safi = b.getUnsignedByte(v + 2);
        int nhLen = b.getUnsignedByte(v + 3);
        int nlri = v + 4 + nhLen + 1;
        if (nlri > v + len) {
            raise(Action.SESSION_RESET, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                    "MP_REACH_NLRI next hop overruns the attribute");
            return;
        }
        if (safi == 1 && (afi == 1 || afi == 2)) {
            // RFC 7606 7.11: a next hop length inconsistent with the family hides the NLRI: reset.
            boolean v6NextHop = nhLen == 16 || nhLen == 32;
            boolean ok = afi == 2 ? v6NextHop : nhLen == 4 || (ipv4NextHop6 && v6NextHop);
            if (!ok) {
                raise(Action.SESSION_RESET, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                        "MP_REACH_NLRI next hop length " + nhLen + " invalid for AFI " + afi);
                return;
            }
            if (!validPrefixes(b, nlri, v + len, afi == 2 ? 128 : 32)) {
                raise(Action.SESSION_RESET, OPTIONAL_ATTRIBUTE_ERROR, slice(b, attrIndex, v + len),
                        "malformed MP_REACH_NLRI prefix");
                return;
            }
            if (nhLen != 4) {  // IPv6 routes, or IPv4 with an IPv6 next hop (RFC 8950)
                attrs.nextHop6Len = nhLen;
                b.getBytes(v + 4, attrs.nextHop6, 0, nhLen);
                attrs.present |= PathAttributes.HAS_NEXT_HOP6;
            } else {
                attrs.nextHop(b.getInt(v + 4));
            }
        }
        mpReachAfi = afi == 0 ? -1 : afi;
        mpReachSafi = safi;
        mpReachNlriStart = nlri;
        mpReachNlriEnd = v + len;
    }

    /** Parses AS_PATH / AS4_PATH segments (RFC 4271 4.3, RFC 6793 3); false when malformed (RFC 7606 7.2). */
    static boolean parseAsPath(ByteBuf b, int v, int len, int asSize, AttributesBuilder into) {
        into.asPathLen = 0;
        into.present |= PathAttributes.HAS_AS_PATH;
        int i = v;
        int end = v + len;
        while (i < end) {
            if (end - i < 2) {
                return false;
            }
            int type = b.getUnsignedByte(i);
            int count = b.getUnsignedByte(i + 1);
            if (type < AS_SET || type > AS_CONFED_SET || count == 0) {
                return false;
            }
            i += 2;
            if (end - i < count * asSize) {
                return false;
            }
            into.beginSegment(type);
            int seg = into.asPathLen - 2;
            for (int k = 0; k < count; k++) {
                into.appendToSegment(seg, asSize == 4 ? b.getInt(i) : b.getUnsignedShort(i));
                i += asSize;
            }
        }
        return true;
    }

    private void malformed(ByteBuf b, int attrIndex, int attrEnd, Action action, boolean flagsOk, String name) {
        raise(action, flagsOk ? ATTRIBUTE_LENGTH_ERROR : ATTRIBUTE_FLAGS_ERROR, slice(b, attrIndex, attrEnd),
                (flagsOk ? "bad length of " : "bad flags of ") + name);
    }

    private static byte[] slice(ByteBuf b, int from, int to) {
        byte[] d = new byte[Math.max(0, to - from)];
        b.getBytes(from, d);
        return d;
    }

    private UpdateError reset(int subcode, byte[] data, String reason) {
        error = UpdateError.of(Action.SESSION_RESET, subcode, data, reason);
        return error;
    }

    /** Keeps the first error of the most severe action seen so far. */
    private void raise(Action action, int subcode, byte[] data, String reason) {
        if (error == null || action.ordinal() > error.action().ordinal()) {
            error = UpdateError.of(action, subcode, data, reason);
        }
    }
}
