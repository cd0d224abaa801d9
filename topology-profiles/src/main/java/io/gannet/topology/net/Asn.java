package io.gannet.topology.net;

/**
 * Autonomous system number rules a profile checks (4-octet ASNs, RFC 6793).
 */
public final class Asn {
    private Asn() {}

    /** RFC 6996 section 5: the 4-octet private-use range. */
    public static final long PRIVATE_4_OCTET_FIRST = 4_200_000_000L;
    public static final long PRIVATE_4_OCTET_LAST = 4_294_967_294L;
    /** RFC 6793 section 9: AS_TRANS stands in for 4-octet ASNs towards old speakers. */
    public static final long AS_TRANS = 23456;
    public static final long MAX = 4_294_967_295L;

    /** Why {@code asn} cannot be used by a BGP speaker, or null when it can. */
    public static String unusableReason(long asn) {
        if (asn <= 0 || asn > MAX) {
            return "AS " + asn + " is outside 1-4294967294";
        }
        if (asn == AS_TRANS) {
            return "AS 23456 is AS_TRANS (RFC 6793) and cannot be a real AS";
        }
        if (asn == 65535 || asn == MAX) {
            return "AS " + asn + " is reserved (RFC 7300)";
        }
        return null;
    }

    public static boolean isPrivate4Octet(long asn) {
        return asn >= PRIVATE_4_OCTET_FIRST && asn <= PRIVATE_4_OCTET_LAST;
    }
}
