package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An RFC 1997 community, 32 bits shown as {@code ASN:VALUE}; the well-known ones by name
 * (RFC 1997, RFC 3765 NOPEER, RFC 7999 BLACKHOLE, RFC 8326 GRACEFUL_SHUTDOWN).
 */
public record Community(long value) {
    public static final Community NO_EXPORT = new Community(0xFFFFFF01L);
    public static final Community NO_ADVERTISE = new Community(0xFFFFFF02L);
    public static final Community NO_EXPORT_SUBCONFED = new Community(0xFFFFFF03L);
    public static final Community NOPEER = new Community(0xFFFFFF04L);
    public static final Community BLACKHOLE = new Community(0xFFFF029AL);
    public static final Community GRACEFUL_SHUTDOWN = new Community(0xFFFF0000L);

    public Community {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw ControlException.badRequest("community value " + value + " does not fit in 32 bits");
        }
    }

    /** {@code 65000:100}, or one of no-export, no-advertise, no-export-subconfed, nopeer, blackhole, graceful-shutdown. */
    public static Community parse(String text) {
        if (text == null) {
            throw ControlException.badRequest("community is empty");
        }
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "no-export": return NO_EXPORT;
            case "no-advertise": return NO_ADVERTISE;
            case "no-export-subconfed": return NO_EXPORT_SUBCONFED;
            case "nopeer": return NOPEER;
            case "blackhole": return BLACKHOLE;
            case "graceful-shutdown": return GRACEFUL_SHUTDOWN;
            default: break;
        }
        String[] parts = text.split(":", -1);
        if (parts.length != 2) {
            throw ControlException.badRequest("community '" + text + "' is not ASN:VALUE (two 16-bit numbers) or a well-known name");
        }
        long hi = Numbers.parseUnsigned(parts[0], 0xFFFF, "community '" + text + "' ASN");
        long lo = Numbers.parseUnsigned(parts[1], 0xFFFF, "community '" + text + "' value");
        return new Community(hi << 16 | lo);
    }

    @JsonValue
    @Override
    public String toString() {
        if (equals(NO_EXPORT)) return "no-export";
        if (equals(NO_ADVERTISE)) return "no-advertise";
        if (equals(NO_EXPORT_SUBCONFED)) return "no-export-subconfed";
        if (equals(NOPEER)) return "nopeer";
        if (equals(BLACKHOLE)) return "blackhole";
        if (equals(GRACEFUL_SHUTDOWN)) return "graceful-shutdown";
        return (value >>> 16) + ":" + (value & 0xFFFF);
    }
}
