package io.gannet.bfd.transport;

import io.gannet.linux.Errno;
import io.gannet.linux.LibC;
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
            setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 1 << 20, "SO_RCVBUF");
            if (family == LibC.AF_INET) {
                setInt(fd, LibC.IPPROTO_IP, LibC.IP_RECVTTL, 1, "IP_RECVTTL");
                setInt(fd, LibC.IPPROTO_IP, LibC.IP_PKTINFO, 1, "IP_PKTINFO");
            } else {
                setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
                setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            }
            bindDevice(fd, device);
            bind(fd, family, bindAddress, port);
            return new UdpSocket(fd, family, port);
        } catch (IOException e) {
            LibC.INSTANCE.close(fd);
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
                setInt(fd, LibC.IPPROTO_IP, LibC.IP_TTL, TTL, "IP_TTL");
            } else {
                setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
                setInt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_UNICAST_HOPS, TTL, "IPV6_UNICAST_HOPS");
            }
            bindDevice(fd, device);
            int span = SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1;
            int start = ThreadLocalRandom.current().nextInt(span);
            for (int i = 0; i < span; i++) {
                int port = SOURCE_PORT_MIN + (start + i) % span;
                Pointer sa = NativeMemory.allocate(SocketAddresses.MAX_LENGTH);
                int len = SocketAddresses.write(sa, family, localAddress, port);
                if (LibC.INSTANCE.bind(fd, sa, len) == 0) {
                    return new UdpSocket(fd, family, port);
                }
                if (Errno.last() != Errno.EADDRINUSE) {
                    throw NativeMemory.lastError("bind " + localAddress + ":" + port);
                }
            }
            throw new IOException("no free source port in 49152-65535");
        } catch (IOException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    private static int open(int family) throws IOException {
        int fd = LibC.INSTANCE.socket(family, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.IPPROTO_UDP);
        if (fd < 0) {
            throw NativeMemory.lastError("socket");
        }
        return fd;
    }

    private static void setInt(int fd, int level, int option, int value, String what) throws IOException {
        Pointer v = NativeMemory.allocate(4);
        v.putInt(0, value);
        if (LibC.INSTANCE.setsockopt(fd, level, option, v, 4) != 0) {
            throw NativeMemory.lastError("setsockopt " + what);
        }
    }

    private static void bindDevice(int fd, String device) throws IOException {
        if (device == null || device.isEmpty()) {
            return;
        }
        byte[] name = device.getBytes(StandardCharsets.US_ASCII);
        Pointer p = NativeMemory.allocate(name.length + 1);
        p.put(0, name, 0, name.length);
        p.putByte(name.length, (byte) 0);
        if (LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, p, name.length + 1) != 0) {
            throw NativeMemory.lastError("SO_BINDTODEVICE " + device);
        }
    }

    private static void bind(int fd, int family, InetAddress address, int port) throws IOException {
        Pointer sa = NativeMemory.allocate(SocketAddresses.MAX_LENGTH);
        int len = SocketAddresses.write(sa, family, address, port);
        if (LibC.INSTANCE.bind(fd, sa, len) != 0) {
            String where = (address == null ? "*" : address.getHostAddress()) + ":" + port;
            if (Errno.last() == Errno.EADDRINUSE) {
                String holder = io.gannet.linux.proc.SocketOwners.describe(io.gannet.linux.proc.SocketOwners.udp(port));
                throw new IOException("BFD port " + port + "/udp (" + where + ") is already in use"
                        + (holder.isEmpty() ? "" : ", " + holder)
                        + ": another BFD speaker runs here (a second gannet, FRR's bfdd or BIRD's BFD); stop it, one BFD owner per host");
            }
            if (Errno.last() == Errno.EACCES) {
                throw new IOException("binding BFD port " + where + "/udp needs root or CAP_NET_BIND_SERVICE");
            }
            throw NativeMemory.lastError("bind " + where);
        }
    }

    /** Sends {@code length} bytes at {@code data} to the sockaddr at {@code to}. Returns false on error (errno kept). */
    public boolean send(Pointer data, int length, Pointer to, int toLength) {
        return LibC.INSTANCE.sendto(fd, data, length, 0, to, toLength) == length;
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
            LibC.INSTANCE.close(fd);
        }
    }
}
