package io.gannet.bfd.wire;

/**
 * Every reason a received BFD Control packet is discarded, each a counter of its own.
 * The RFC section that mandates the discard is given per constant.
 */
public enum DropReason {
    /** Shorter than the 24-byte mandatory section, or than its own Length field. */
    TRUNCATED("truncated"),
    /** RFC 5880 6.8.6: version number is not 1. */
    BAD_VERSION("bad-version"),
    /** RFC 5880 6.8.6: Length below 24 (26 with the A bit), or above the payload. */
    BAD_LENGTH("bad-length"),
    /** RFC 5880 6.8.6: Detect Mult is zero. */
    DETECT_MULT_ZERO("detect-mult-zero"),
    /** RFC 5880 6.8.6: Multipoint (M) bit is set. */
    MULTIPOINT("multipoint"),
    /** RFC 5880 6.8.6: My Discriminator is zero. */
    MY_DISCRIMINATOR_ZERO("my-discriminator-zero"),
    /** RFC 5880 6.8.6: Your Discriminator zero and State neither Down nor AdminDown. */
    YOUR_DISCRIMINATOR_ZERO("your-discriminator-zero"),
    /** RFC 5880 6.8.6: Your Discriminator non-zero and no session has it. */
    UNKNOWN_DISCRIMINATOR("unknown-discriminator"),
    /** RFC 5880 6.8.6: Your Discriminator zero and no session matches the source address/interface. */
    NO_SESSION_FOR_ADDRESS("no-session-for-address"),
    /** Your Discriminator names a session whose peer is another address (spoofing guard). */
    ADDRESS_MISMATCH("address-mismatch"),
    /** RFC 5881 5: single-hop packet received with TTL/Hop Limit other than 255. */
    TTL("ttl"),
    /** RFC 5883 2: multihop packet below the configured minimum TTL. */
    TTL_BELOW_MINIMUM("ttl-below-minimum"),
    /** RFC 5880 6.8.6: A bit set but the session has no authentication configured. */
    AUTH_UNEXPECTED("auth-unexpected"),
    /** RFC 5880 6.8.6: A bit clear but the session requires authentication. */
    AUTH_MISSING("auth-missing"),
    /** RFC 5880 4.2-4.4: the auth section's length or layout is wrong for its type. */
    AUTH_MALFORMED("auth-malformed"),
    /** RFC 5880 6.7: Auth Type or Key ID differs from the session's configuration. */
    AUTH_TYPE_OR_KEY_MISMATCH("auth-type-or-key-mismatch"),
    /** RFC 5880 6.7.2: the password differs. */
    AUTH_BAD_PASSWORD("auth-bad-password"),
    /** RFC 5880 6.7.3/6.7.4: the MD5/SHA1 digest differs. */
    AUTH_BAD_DIGEST("auth-bad-digest"),
    /** RFC 5880 6.7.3/6.7.4: the sequence number is outside the accepted window. */
    AUTH_BAD_SEQUENCE("auth-bad-sequence"),
    /** RFC 5880 6.8.6: bfd.SessionState is AdminDown, so received packets are discarded. */
    LOCAL_ADMIN_DOWN("local-admin-down"),
    /** The kernel delivered no TTL ancillary data, so the TTL check could not run. */
    NO_TTL_INFO("no-ttl-info");

    private final String metricName;

    DropReason(String metricName) {
        this.metricName = metricName;
    }

    /** Kebab-case name used in metrics labels and `gannet show bfd`. */
    public String metricName() {
        return metricName;
    }
}
