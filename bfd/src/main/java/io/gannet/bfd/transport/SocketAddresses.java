package io.gannet.bfd.transport;

import io.gannet.linux.LibC;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import jnr.ffi.Pointer;

/** Writes struct sockaddr_in / sockaddr_in6 into native memory (Linux layout). */
public final class SocketAddresses {
    /** sizeof(struct sockaddr_in6), enough for either family. */
    public static final int MAX_LENGTH = 28;

    private SocketAddresses() {}

    public static int family(InetAddress a) {
        return a instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
    }

    /** Writes {@code address:port} (or the wildcard of {@code family} when address is null); returns the length. */
    public static int write(Pointer p, int family, InetAddress address, int port) {
        for (int i = 0; i < MAX_LENGTH; i++) {
            p.putByte(i, (byte) 0);
        }
        p.putShort(0, (short) family); // sa_family in host order
        p.putByte(2, (byte) (port >>> 8)); // port in network order
        p.putByte(3, (byte) port);
        if (family == LibC.AF_INET) {
            if (address != null) {
                p.put(4, ((Inet4Address) address).getAddress(), 0, 4);
            }
            return 16;
        }
        if (address != null) {
            p.put(8, address.getAddress(), 0, 16);
            int scope = ((Inet6Address) address).getScopeId();
            p.putInt(24, scope);
        }
        return 28;
    }
}
