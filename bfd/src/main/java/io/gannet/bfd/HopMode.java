package io.gannet.bfd;

/** Single-hop (RFC 5881, UDP 3784, TTL 255 only) or multihop (RFC 5883, UDP 4784, minimum TTL). */
public enum HopMode {
    SINGLE_HOP(3784),
    MULTI_HOP(4784);

    private final int port;

    HopMode(int port) {
        this.port = port;
    }

    /** The destination port the RFC fixes for this mode. */
    public int port() {
        return port;
    }
}
