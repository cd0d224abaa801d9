package io.gannet.bfd.transport;

import io.gannet.linux.LibC;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One received datagram with what the kernel told about it, as a reusable flyweight owned
 * by the receive thread.
 */
public final class ReceivedDatagram {
    public static final int MAX_PAYLOAD = 512;

    public final byte[] payload = new byte[MAX_PAYLOAD];
    public int length;
    public int family;
    /** Source address bytes: 4 (IPv4) or 16 (IPv6) of them are valid. */
    public final byte[] source = new byte[16];
    public int sourcePort;
    /** Destination address bytes (from IP_PKTINFO), same length as the source. */
    public final byte[] destination = new byte[16];
    /** Received TTL / Hop Limit, or -1 if the kernel gave none. */
    public int ttl;
    /** Receiving interface index, or 0 if unknown. */
    public int interfaceIndex;
    /** True when received on the multihop port. */
    public boolean multihop;

    public int addressLength() {
        return family == LibC.AF_INET ? 4 : 16;
    }

    /** True when the source address equals {@code address} (4 or 16 bytes). */
    public boolean sourceIs(byte[] address) {
        int n = addressLength();
        return address.length == n && Arrays.equals(source, 0, n, address, 0, n);
    }

    /** The source as an InetAddress (allocates: for logs and tests only). */
    public InetAddress sourceAddress() {
        try {
            return InetAddress.getByAddress(Arrays.copyOf(source, addressLength()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
