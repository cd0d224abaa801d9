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
 * <p>Per attribute type, everything is {@link AttributeTable}'s: this class checks flags and
 * length against the type's row, then runs the row's decode step, which reads and fills the
 * package-private fields below. Unknown types follow RFC 4271 5 here.
 *
 * <p>Threading: one instance per owner thread (it reuses scratch buffers).
 */
public final class UpdateDecoder {
    private final AttributeInterner interner;
    private final long[] seen = new long[4]; // attribute type codes seen in this UPDATE
    private byte[] scratch = new byte[4096];
    private UpdateError error;

    // What the decode steps of AttributeTable's rows read and fill during the attribute pass.
    final AttributesBuilder attrs = new AttributesBuilder();
    final As4Merge as4 = new As4Merge();
    boolean fourOctetAs;    // the session negotiated RFC 6793
    boolean ibgp;           // the peer is internal
    boolean ipv4NextHop6;   // this UPDATE's session negotiated RFC 8950 for IPv4 unicast

    // MP_REACH / MP_UNREACH NLRI located during the attribute pass.
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
        this.fourOctetAs = fourOctetAs;
        this.ibgp = ibgp;
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

        parseAttributes(body, attrStart, attrEnd);
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
            checkRequired(hasNlri);
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

    /** RFC 7606 3.d: the first well-known mandatory attribute missing (by type code) withdraws the routes. */
    private void checkRequired(boolean hasNlri) {
        for (AttributeSpec s : AttributeTable.REQUIRED) {
            if ((hasNlri || !s.has(AttributeSpec.REQUIRED_WITH_IPV4_NLRI)) && !attrs.has(s.presentBit)) {
                raise(Action.TREAT_AS_WITHDRAW, MISSING_WELL_KNOWN, new byte[] {(byte) s.code}, s.missing);
                return;
            }
        }
    }

    private void parseAttributes(ByteBuf body, int from, int to) {
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
            AttributeSpec spec = AttributeTable.spec(type);
            boolean locatesNlri = spec != null && spec.has(AttributeSpec.LOCATES_NLRI);
            if (i > to) {
                // RFC 7606 4: an attribute overrunning the attribute field. NLRI in MP attributes
                // already parsed could be lost silently, so then the session must reset.
                if (mpReachAfi != 0 || mpUnreachAfi != 0 || locatesNlri) {
                    raise(Action.SESSION_RESET, ATTRIBUTE_LENGTH_ERROR, null,
                            AttributeTable.name(type) + " length overruns the attribute field");
                } else {
                    raise(Action.TREAT_AS_WITHDRAW, ATTRIBUTE_LENGTH_ERROR, null,
                            AttributeTable.name(type) + " length overruns the attribute field");
                }
                return;
            }
            // RFC 7606 3.g: MP_REACH/MP_UNREACH twice is a reset; any other repeat keeps the first.
            long bit = 1L << (type & 63);
            if ((seen[type >>> 6] & bit) != 0) {
                if (locatesNlri) {
                    raise(Action.SESSION_RESET, MALFORMED_ATTRIBUTE_LIST, null, AttributeTable.name(type) + " repeated");
                    return;
                }
                raise(Action.ATTRIBUTE_DISCARD, MALFORMED_ATTRIBUTE_LIST, null, AttributeTable.name(type) + " repeated");
                continue;
            }
            seen[type >>> 6] |= bit;
            if (spec != null) {
                parseKnown(spec, body, attrIndex, flags, value, len);
            } else {
                parseUnknown(body, attrIndex, flags, type, value, len);
            }
            if (error != null && error.action() == Action.SESSION_RESET) {
                return;
            }
        }
    }

    /** The checks every row shares (RFC 7606 3.c flags, section 7 lengths), then the row's decode step. */
    private void parseKnown(AttributeSpec s, ByteBuf b, int attrIndex, int flags, int v, int len) {
        if (s.has(AttributeSpec.IBGP_ONLY) && !ibgp) {
            return; // RFC 7606 7.5, RFC 4456 8: from an external peer it is discarded, without error
        }
        if (s.has(AttributeSpec.TWO_OCTET_AS_ONLY) && fourOctetAs) {
            return; // RFC 6793 3: between two 4-octet speakers it is ignored
        }
        if ((flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) != s.flags) {
            raise(s.malformed.action(), s.malformed.flagsSubcode(), slice(b, attrIndex, v + len), s.badFlags);
        } else if (!s.length.fits(len, fourOctetAs ? 4 : 2)) {
            malformedLength(s, b, attrIndex, v + len);
        } else {
            s.decode.decode(s, this, b, attrIndex, v, len);
        }
    }

    private void parseUnknown(ByteBuf b, int attrIndex, int flags, int type, int v, int len) {
        if ((flags & FLAG_OPTIONAL) == 0) {
            // RFC 4271 6.3: an unrecognized well-known attribute.
            raise(Action.SESSION_RESET, UNRECOGNIZED_WELL_KNOWN, slice(b, attrIndex, v + len),
                    "unrecognized well-known attribute " + type);
        } else if ((flags & FLAG_TRANSITIVE) != 0) {
            attrs.unknownTransitive(flags, type, b, v, len); // passed on with Partial set (RFC 4271 5)
        }
        // unknown optional non-transitive: quietly ignored (RFC 4271 5)
    }

    /** Located by MP_REACH_NLRI's decode step; {@code afi} -1 stands for AFI 0 (present, unusable). */
    void mpReach(int afi, int safi, int nlriStart, int nlriEnd) {
        mpReachAfi = afi;
        mpReachSafi = safi;
        mpReachNlriStart = nlriStart;
        mpReachNlriEnd = nlriEnd;
    }

    /** Located by MP_UNREACH_NLRI's decode step, as {@link #mpReach}. */
    void mpUnreach(int afi, int safi, int start, int end) {
        mpUnreachAfi = afi;
        mpUnreachSafi = safi;
        mpUnreachStart = start;
        mpUnreachEnd = end;
    }

    /** A value the row calls malformed: its RFC 7606 action, its length subcode and reason. */
    void malformedLength(AttributeSpec s, ByteBuf b, int attrIndex, int attrEnd) {
        raise(s.malformed.action(), s.malformed.lengthSubcode(), slice(b, attrIndex, attrEnd), s.badLength);
    }

    /** NOTIFICATION data: the whole attribute, header included (RFC 4271 6.3). Only on errors. */
    static byte[] slice(ByteBuf b, int from, int to) {
        byte[] d = new byte[Math.max(0, to - from)];
        b.getBytes(from, d);
        return d;
    }

    private UpdateError reset(int subcode, byte[] data, String reason) {
        error = UpdateError.of(Action.SESSION_RESET, subcode, data, reason);
        return error;
    }

    /** Keeps the first error of the most severe action seen so far. */
    void raise(Action action, int subcode, byte[] data, String reason) {
        if (error == null || action.ordinal() > error.action().ordinal()) {
            error = UpdateError.of(action, subcode, data, reason);
        }
    }
}
