package io.gannet.bgp.wire;

/** BGP message type codes (RFC 4271 section 4.1; ROUTE-REFRESH from RFC 2918). */
public final class MessageType {
    public static final int OPEN = 1;
    public static final int UPDATE = 2;
    public static final int NOTIFICATION = 3;
    public static final int KEEPALIVE = 4;
    public static final int ROUTE_REFRESH = 5;

    /** Highest type code this speaker understands; array sizes for per-type counters use it. */
    public static final int MAX_KNOWN = ROUTE_REFRESH;

    private MessageType() {}

    public static boolean isKnown(int type) {
        return type >= OPEN && type <= MAX_KNOWN;
    }

    public static String name(int type) {
        return switch (type) {
            case OPEN -> "OPEN";
            case UPDATE -> "UPDATE";
            case NOTIFICATION -> "NOTIFICATION";
            case KEEPALIVE -> "KEEPALIVE";
            case ROUTE_REFRESH -> "ROUTE-REFRESH";
            default -> "type-" + type;
        };
    }
}
