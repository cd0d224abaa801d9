package io.gannet.bgp.wire.attr;

import io.gannet.bgp.wire.attr.UpdateError.Action;
import io.netty.buffer.ByteBuf;

/**
 * One row of {@link AttributeTable}: everything Gannet knows about one path attribute type, so
 * that {@link UpdateDecoder} and {@link AttributeEncoder} decide nothing by type code themselves.
 *
 * <p>The decoder checks, in this order and before any decode step runs: whether the attribute is
 * considered at all ({@link #IBGP_ONLY}, {@link #TWO_OCTET_AS_ONLY}), its Optional/Transitive bits
 * against {@link #flags} (RFC 7606 3.c), its length against {@link #length}; a failure is handled
 * as {@link #malformed} says. The decode step then checks the value itself and stores it.
 *
 * <p>Decode and encode steps are static methods of the codec classes, bound once when the table is
 * built: calling them captures nothing and allocates nothing.
 */
final class AttributeSpec {
    /** Decodes a value that passed the flag and length checks; raises content errors on {@code d}. */
    @FunctionalInterface
    interface Decode {
        void decode(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int value, int length);
    }

    /** Writes the attribute when {@code a} carries it (and the session wants it); nothing otherwise. */
    @FunctionalInterface
    interface Encode {
        void encode(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean includeNextHop);
    }

    /** Ignored (without error) from an external peer: RFC 7606 7.5 (LOCAL_PREF), RFC 4456 8. */
    static final int IBGP_ONLY = 1;
    /** Ignored between two 4-octet AS speakers (RFC 6793 3: AS4_PATH, AS4_AGGREGATOR). */
    static final int TWO_OCTET_AS_ONLY = 1 << 1;
    /**
     * Carries NLRI (RFC 7606 5.3): if it is malformed, repeated (3.g) or overruns the attribute
     * field (4), the prefixes cannot all be located, so the session resets.
     */
    static final int LOCATES_NLRI = 1 << 2;
    /** Well-known mandatory when the UPDATE carries NLRI, in either field (RFC 4271 5, RFC 7606 3.d). */
    static final int REQUIRED_WITH_NLRI = 1 << 3;
    /** Mandatory only with NLRI in the UPDATE's own NLRI field (NEXT_HOP; MP_REACH has its own). */
    static final int REQUIRED_WITH_IPV4_NLRI = 1 << 4;

    /**
     * What a malformed instance costs (RFC 7606 2) and the NOTIFICATION subcodes it would carry for
     * bad flags and for a bad length (RFC 4271 6.3). {@code terse}: logged as "malformed NAME" for
     * both rather than "bad flags of NAME" / "bad length of NAME".
     */
    record Malformed(Action action, int flagsSubcode, int lengthSubcode, boolean terse) {
        static final Malformed WITHDRAW = new Malformed(Action.TREAT_AS_WITHDRAW,
                UpdateError.ATTRIBUTE_FLAGS_ERROR, UpdateError.ATTRIBUTE_LENGTH_ERROR, false);
        static final Malformed DISCARD = new Malformed(Action.ATTRIBUTE_DISCARD,
                UpdateError.ATTRIBUTE_FLAGS_ERROR, UpdateError.ATTRIBUTE_LENGTH_ERROR, false);
        /** MP_REACH / MP_UNREACH (RFC 7606 7.11, 7.12). */
        static final Malformed RESET = new Malformed(Action.SESSION_RESET,
                UpdateError.ATTRIBUTE_FLAGS_ERROR, UpdateError.OPTIONAL_ATTRIBUTE_ERROR, true);
        /** AS4_PATH / AS4_AGGREGATOR (RFC 6793 6): discarded, reported as an optional attribute error. */
        static final Malformed DISCARD_AS4 = new Malformed(Action.ATTRIBUTE_DISCARD,
                UpdateError.OPTIONAL_ATTRIBUTE_ERROR, UpdateError.OPTIONAL_ATTRIBUTE_ERROR, true);
    }

    /**
     * Lengths the value may have: {@code min..max} octets, a multiple of {@code unit}, plus the
     * session's AS size when {@code plusAs} (AGGREGATOR: 2 + 4 or 4 + 4 octets, RFC 7606 7.7).
     */
    record Length(int min, int max, int unit, boolean plusAs) {
        static Length exactly(int n) {
            return new Length(n, n, 1, false);
        }

        static Length asNumberPlus(int n) {
            return new Length(n, n, 1, true);
        }

        /** A non-zero multiple of {@code unit} octets. */
        static Length multipleOf(int unit) {
            return new Length(unit, 0xFFFF, unit, false);
        }

        static Length atLeast(int n) {
            return new Length(n, 0xFFFF, 1, false);
        }

        /** Any length: the decode step judges the structure (AS_PATH, AS4_PATH). */
        static Length any() {
            return atLeast(0);
        }

        boolean fits(int len, int asSize) {
            int extra = plusAs ? asSize : 0;
            return len >= min + extra && len <= max + extra && (unit == 1 || len % unit == 0);
        }
    }

    final int code;
    final String name;
    /** The Optional and Transitive bits the attribute must carry (RFC 4271 5, 4.3). */
    final int flags;
    final Length length;
    final Malformed malformed;
    /** {@link #IBGP_ONLY} and the other rule bits. */
    final int rules;
    /** For a required attribute, the {@link PathAttributes} presence bit that shows it was decoded. */
    final int presentBit;
    final Decode decode;
    /** Null when {@link UpdateWriter} writes the attribute itself (MP_REACH/MP_UNREACH own the NLRI). */
    final Encode encode;
    // Reasons built once here, so raising an error concatenates nothing.
    final String badFlags;
    final String badLength;
    final String missing;

    AttributeSpec(int code, String name, int flags, Length length, Malformed malformed, int rules, int presentBit,
                  Decode decode, Encode encode) {
        this.code = code;
        this.name = name;
        this.flags = flags;
        this.length = length;
        this.malformed = malformed;
        this.rules = rules;
        this.presentBit = presentBit;
        this.decode = decode;
        this.encode = encode;
        this.badFlags = malformed.terse() ? "malformed " + name : "bad flags of " + name;
        this.badLength = malformed.terse() ? "malformed " + name : "bad length of " + name;
        this.missing = name + " missing";
    }

    boolean has(int rule) {
        return (rules & rule) != 0;
    }

    /** Writes this attribute's flags, type and length (Extended Length only when needed). */
    void header(ByteBuf out, int length) {
        AttributeEncoder.header(out, flags, code, length);
    }

    @Override
    public String toString() {
        return name + "(" + code + ")";
    }
}
