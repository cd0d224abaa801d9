package io.gannet.bfd.wire;

/**
 * RFC 5880 4.1 "Auth Type" with the section length each type fixes (4.2-4.4).
 * Types 6-255 are reserved and never accepted.
 */
public enum AuthType {
    NONE(0, 0, 0, false),
    SIMPLE_PASSWORD(1, 0, 0, false),
    KEYED_MD5(2, 24, 16, false),
    METICULOUS_KEYED_MD5(3, 24, 16, true),
    KEYED_SHA1(4, 28, 20, false),
    METICULOUS_KEYED_SHA1(5, 28, 20, true);

    private final int code;
    private final int sectionLength;
    private final int digestLength;
    private final boolean meticulous;

    AuthType(int code, int sectionLength, int digestLength, boolean meticulous) {
        this.code = code;
        this.sectionLength = sectionLength;
        this.digestLength = digestLength;
        this.meticulous = meticulous;
    }

    public int code() {
        return code;
    }

    /** Fixed Auth Len for the digest types; 0 for simple password (variable, 4..19) and none. */
    public int sectionLength() {
        return sectionLength;
    }

    /** 16 for MD5, 20 for SHA1, 0 otherwise. */
    public int digestLength() {
        return digestLength;
    }

    public boolean isDigest() {
        return digestLength > 0;
    }

    /** RFC 5880 6.7.3/6.7.4: meticulous types require a strictly increasing sequence number. */
    public boolean meticulous() {
        return meticulous;
    }

    /** The type for a wire code, or null for a reserved code. */
    public static AuthType fromCode(int code) {
        for (AuthType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
