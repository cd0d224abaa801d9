package io.gannet.bfd.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import jnr.ffi.Pointer;

/**
 * A UDP socket on a raw file descriptor, opened through libc so its TTL can be set to 255
 * and the TTL of each received datagram read from ancillary data (RFC 5881 5, RFC 5883 2).
 * The namespace a socket lives in is the one of the thread that opened it.
 */
public final class UdpSocket implements AutoCloseable {
    /** RFC 5881 4: "The source port MUST be in the range 49152 through 65535." */
    public static final int SOURCE_PORT_MIN = 49152;
    public static final int SOURCE_PORT_MAX = 65535;
    /** RFC 5881 5: sent with a TTL or Hop Limit of 255. */
    public static final int TTL = 255;

    private final int fd;
    private final int family;
    private final int localPort;
    private volatile boolean closed;

    private UdpSocket(int fd, int family, int localPort) {
        this.fd = fd;
        this.family = family;
        this.localPort = localPort;
    }

    /**
     * A receiving socket on {@code port} (3784 or 4784) that delivers the TTL/Hop Limit and
     * the receiving interface of every datagram.
     */
    public static UdpSocket listener(int family, InetAddress bindAddress, int port, String device) throws IOException {
        int fd = open(family);
        try {
            // No SO_REUSEADDR/SO_REUSEPORT: a second BFD speaker on this host (another gannet,
            // FRR's bfdd, BIRD's BFD) must fail to bind instead of silently taking over the
            // datagrams of the sessions already running (one BFD owner per host and port).
            Native.setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 1 << 20, "SO_RCVBUF");
            if (family == LibC.AF_INET) {
                Native.setInt(fd, LibC.IPPROTO_IP, LibC.IP_RECVTTL, 1, "IP_RECVTTL");
                Native.setInt(fd, LibC.IPPROTO_IP, LibC.IP_PKTINFO, 1, "IP_PKTINFO");
            } else {
                Native.setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
                Native.setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                Native.setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            }
            bindDevice(fd, device);
            bind(fd, family, bindAddress, port);
            return new UdpSocket(fd, family, port);
        } catch (IOException e) {
            Native.C.close(fd);
            throw e;
        }
    }

    /**
     * A sending socket with TTL 255, bound to {@code localAddress} (null: any) and a source
     * port in 49152-65535, so a session keeps one source port for its life (RFC 5881 4).
     */
    public static UdpSocket sender(int family, InetAddress localAddress, String device) throws IOException {
        int fd = open(family);
        try {
            if (family == LibC.AF_INET) {
                Native.setInt(fd, LibC.IPPROTO_IP, LibC.IP_TTL, TTL, "IP_TTL");
            } else {
                Native.setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
                Native.setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_UNICAST_HOPS, TTL, "IPV6_UNICAST_HOPS");
            }
            bindDevice(fd, device);
            int span = SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1;
            int start = ThreadLocalRandom.current().nextInt(span);
            for (int i = 0; i < span; i++) {
                int port = SOURCE_PORT_MIN + (start + i) % span;
                Pointer sa = Native.allocate(SocketAddresses.MAX_LENGTH);
                int len = SocketAddresses.write(sa, family, localAddress, port);
                if (Native.C.bind(fd, sa, len) == 0) {
                    return new UdpSocket(fd, family, port);
                }
                if (Native.errno() != LibC.EADDRINUSE) {
                    throw Native.error("bind " + localAddress + ":" + port);
                }
            }
            throw new IOException("no free source port in 49152-65535");
        } catch (IOException e) {
            Native.C.close(fd);
            throw e;
        }
    }

    private static int open(int family) throws IOException {
        int fd = Native.C.socket(family, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.IPPROTO_UDP);
        if (fd < 0) {
            throw Native.error("socket");
        }
        return fd;
    }

    private static void bindDevice(int fd, String device) throws IOException {
        if (device == null || device.isEmpty()) {
            return;
        }
        byte[] name = device.getBytes(StandardCharsets.US_ASCII);
        Pointer p = Native.allocate(name.length + 1);
        p.put(0, name, 0, name.length);
        p.putByte(name.length, (byte) 0);
        if (Native.C.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, p, name.length + 1) != 0) {
            throw Native.error("SO_BINDTODEVICE " + device);
        }
    }

    private static void bind(int fd, int family, InetAddress address, int port) throws IOException {
        Pointer sa = Native.allocate(SocketAddresses.MAX_LENGTH);
        int len = SocketAddresses.write(sa, family, address, port);
        if (Native.C.bind(fd, sa, len) != 0) {
            String where = (address == null ? "*" : address.getHostAddress()) + ":" + port;
            if (Native.errno() == LibC.EADDRINUSE) {
                String holder = io.gannet.linux.proc.SocketOwners.describe(io.gannet.linux.proc.SocketOwners.udp(port));
                throw new IOException("BFD port " + port + "/udp (" + where + ") is already in use"
                        + (holder.isEmpty() ? "" : ", " + holder)
                        + ": another BFD speaker runs here (a second gannet, FRR's bfdd or BIRD's BFD); stop it, one BFD owner per host");
            }
            if (Native.errno() == LibC.EACCES) {
                throw new IOException("binding BFD port " + where + "/udp needs root or CAP_NET_BIND_SERVICE");
            }
            throw Native.error("bind " + where);
        }
    }

    /** Sends {@code length} bytes at {@code data} to the sockaddr at {@code to}. Returns false on error (errno kept). */
    public boolean send(Pointer data, int length, Pointer to, int toLength) {
        return Native.C.sendto(fd, data, length, 0, to, toLength) == length;
    }

    public int fd() {
        return fd;
    }

    public int family() {
        return family;
    }

    public int localPort() {
        return localPort;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.C.close(fd);
        }
    }
}
