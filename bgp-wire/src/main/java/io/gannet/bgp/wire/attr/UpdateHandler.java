package io.gannet.bgp.wire.attr;

/**
 * Receives one decoded UPDATE as primitives, so decoding creates no object per prefix. The
 * decoder calls withdrawals first (Withdrawn Routes, then MP_UNREACH_NLRI), then announcements
 * (NLRI, then MP_REACH_NLRI), all sharing one interned {@link PathAttributes}.
 *
 * <p>IPv4 addresses are int bits; IPv6 addresses are two longs (first and last 64 bits). Host
 * bits past the prefix length are zero.
 */
public interface UpdateHandler {
    void withdraw4(int address, int length);

    void announce4(int address, int length, PathAttributes attributes);

    void withdraw6(long hi, long lo, int length);

    void announce6(long hi, long lo, int length, PathAttributes attributes);

    /** An End-of-RIB marker for the family (RFC 4724 2). */
    void endOfRib(int afi, int safi);
}
