package io.gannet.linux;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * IPv6 Router Advertisements on one interface (RFC 4861 4.2), as BGP unnumbered peering uses
 * them: FRR's zebra learns a neighbor's link-local address from the neighbor's RAs, and we
 * learn the switch's from its own. A raw ICMPv6 socket bound to the interface that sends RAs
 * with hop limit 255 and router lifetime 0 (we are no default router, and announce no prefix)
 * and takes only RAs that arrive with hop limit 255 (RFC 4861 6.1.2: from this link). One
 * thread uses an instance; its buffers are reused.
 */
public final class RouterAdvertisements implements AutoCloseable {
    static final int IPPROTO_ICMPV6 = 58;
    static final int ICMP6_FILTER = 1;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int ROUTER_SOLICITATION = 133;
    static final int ROUTER_ADVERTISEMENT = 134;
    private static final short POLLIN = 1;
    private static final int SOCKADDR_IN6 = 28;
    private static final int CONTROL = 64;
    private static final int BUFFER = 1500;
    private static final byte[] ALL_NODES = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final byte[] ALL_ROUTERS = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

    private final int fd;
    private final int ifindex;
    private final String ifname;
    private final Runtime runtime = Runtime.getSystemRuntime();
    private final Pointer destination;
    private final Pointer routers;
    private final Pointer message;
    private final Pointer solicitation;
    private final Pointer msghdr;
    private final Pointer iov;
    private final Pointer name;
    private final Pointer control;
    private final Pointer buffer;
    private final Pointer pollfd;

    private RouterAdvertisements(int fd, int ifindex, String ifname) {
        this.fd = fd;
        this.ifindex = ifindex;
        this.ifname = ifname;
        destination = Memory.allocateDirect(runtime, SOCKADDR_IN6, true);
        destination.putShort(0, (short) LibC.AF_INET6);
        destination.put(8, ALL_NODES, 0, 16);
        destination.putInt(24, ifindex);
        routers = Memory.allocateDirect(runtime, SOCKADDR_IN6, true);
        routers.putShort(0, (short) LibC.AF_INET6);
        routers.put(8, ALL_ROUTERS, 0, 16);
        routers.putInt(24, ifindex);
        // type 133, code 0, checksum (the kernel's), reserved
        solicitation = Memory.allocateDirect(runtime, 8, true);
        solicitation.putByte(0, (byte) ROUTER_SOLICITATION);
        // type 134, code 0, checksum (the kernel's), cur hop limit 0, flags 0, router lifetime 0,
        // reachable time 0, retrans timer 0
        message = Memory.allocateDirect(runtime, 16, true);
        message.putByte(0, (byte) ROUTER_ADVERTISEMENT);
        msghdr = Memory.allocateDirect(runtime, 56, true);
        iov = Memory.allocateDirect(runtime, 16, true);
        name = Memory.allocateDirect(runtime, SOCKADDR_IN6, true);
        control = Memory.allocateDirect(runtime, CONTROL, true);
        buffer = Memory.allocateDirect(runtime, BUFFER, true);
        iov.putAddress(0, buffer.address());
        iov.putLong(8, BUFFER);
        pollfd = Memory.allocateDirect(runtime, 8, true);
        pollfd.putInt(0, fd);
        pollfd.putShort(4, POLLIN);
    }

    /** Opens the socket on {@code ifname} (in the calling thread's network namespace). Needs CAP_NET_RAW. */
    public static RouterAdvertisements open(String ifname) throws SysException {
        LibC c = LibC.INSTANCE;
        int ifindex = c.if_nametoindex(ifname);
        if (ifindex == 0) {
            throw new SysException("interface " + ifname, Errno.last());
        }
        int fd = c.socket(LibC.AF_INET6, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, IPPROTO_ICMPV6);
        if (fd < 0) {
            throw new SysException("raw ICMPv6 socket for router advertisements on " + ifname, Errno.last());
        }
        try {
            byte[] device = (ifname + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            check(c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, ByteBuffer.wrap(device), device.length),
                    "bind to " + ifname);
            check(c.setsockopt(fd, LibC.IPPROTO_IPV6, IPV6_MULTICAST_HOPS, intValue(255), 4), "multicast hop limit");
            check(c.setsockopt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_UNICAST_HOPS, intValue(255), 4), "unicast hop limit");
            check(c.setsockopt(fd, LibC.IPPROTO_IPV6, IPV6_MULTICAST_IF, intValue(ifindex), 4), "multicast interface");
            check(c.setsockopt(fd, LibC.IPPROTO_IPV6, IPV6_MULTICAST_LOOP, intValue(0), 4), "multicast loop");
            check(c.setsockopt(fd, LibC.IPPROTO_IPV6, LibC.IPV6_RECVHOPLIMIT, intValue(1), 4), "receive hop limit");
            // struct icmp6_filter: a set bit blocks its type; pass Router Advertisements only.
            ByteBuffer filter = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
            for (int i = 0; i < 8; i++) {
                filter.putInt(i * 4, i == ROUTER_ADVERTISEMENT >> 5 ? ~(1 << (ROUTER_ADVERTISEMENT & 31)) : -1);
            }
            check(c.setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, filter, 32), "ICMPv6 filter");
        } catch (SysException e) {
            c.close(fd);
            throw e;
        }
        return new RouterAdvertisements(fd, ifindex, ifname);
    }

    public int ifindex() {
        return ifindex;
    }

    /** Sends one Router Advertisement to all nodes on the link (ff02::1). */
    public void send() throws SysException {
        long n = LibC.INSTANCE.sendto(fd, message, 16, 0, destination, SOCKADDR_IN6);
        if (n < 0) {
            throw new SysException("router advertisement on " + ifname, Errno.last());
        }
    }

    /**
     * Sends a Router Solicitation to the link's routers (ff02::2, RFC 4861 6.3.7), which answer
     * with an advertisement at once instead of at their next periodic one.
     */
    public void solicit() throws SysException {
        long n = LibC.INSTANCE.sendto(fd, solicitation, 8, 0, routers, SOCKADDR_IN6);
        if (n < 0) {
            throw new SysException("router solicitation on " + ifname, Errno.last());
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a Router Advertisement from the link.
     *
     * @return its source, a link-local address scoped to this interface; null when none came in
     *         time (or one came with a hop limit other than 255, which is dropped)
     */
    public Inet6Address receive(int timeoutMillis) {
        pollfd.putShort(6, (short) 0);
        if (LibC.INSTANCE.poll(pollfd, 1, timeoutMillis) <= 0) {
            return null;
        }
        msghdr.putAddress(0, name.address());
        msghdr.putInt(8, SOCKADDR_IN6);
        msghdr.putAddress(16, iov.address());
        msghdr.putLong(24, 1);
        msghdr.putAddress(32, control.address());
        msghdr.putLong(40, CONTROL);
        msghdr.putInt(48, 0);
        long n = LibC.INSTANCE.recvmsg(fd, msghdr, LibC.MSG_DONTWAIT);
        if (n < 16 || (buffer.getByte(0) & 0xff) != ROUTER_ADVERTISEMENT || hopLimit() != 255) {
            return null;
        }
        byte[] source = new byte[16];
        name.get(8, source, 0, 16);
        try {
            return Inet6Address.getByAddress(null, source, ifindex);
        } catch (UnknownHostException e) {
            return null; // not reached: 16 octets
        }
    }

    /** IPV6_HOPLIMIT from the received control messages (struct cmsghdr {len@0, level@8, type@12, data@16}), or -1. */
    private int hopLimit() {
        long length = msghdr.getLong(40);
        int off = 0;
        while (off + 16 <= length) {
            long cmsgLen = control.getLong(off);
            if (cmsgLen < 16 || off + cmsgLen > length) {
                break;
            }
            if (control.getInt(off + 8) == LibC.IPPROTO_IPV6 && control.getInt(off + 12) == LibC.IPV6_HOPLIMIT) {
                return control.getInt(off + 16);
            }
            off += (int) ((cmsgLen + 7) & ~7L);
        }
        return -1;
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }

    private static ByteBuffer intValue(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    private static void check(int rc, String what) throws SysException {
        if (rc < 0) {
            throw new SysException(what, Errno.last());
        }
    }
}
