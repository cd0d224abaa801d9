package io.gannet.bfd.transport;

import io.gannet.linux.LibC;
import jnr.ffi.Pointer;

/**
 * recvmsg(2) with ancillary data into a {@link ReceivedDatagram}. Owns its native msghdr,
 * iovec, name and control buffers and reuses them, so reading allocates nothing. One
 * instance per receive thread.
 *
 * <p>Layouts are the LP64 Linux ones: struct msghdr {name@0, namelen@8, iov@16,
 * iovlen@24, control@32, controllen@40, flags@48}; struct cmsghdr {len@0 (size_t),
 * level@8, type@12, data@16}.
 */
public final class DatagramReader {
    private static final int CONTROL_SIZE = 256;

    private final Pointer msghdr = NativeMemory.allocate(56);
    private final Pointer iov = NativeMemory.allocate(16);
    private final Pointer name = NativeMemory.allocate(SocketAddresses.MAX_LENGTH);
    private final Pointer control = NativeMemory.allocate(CONTROL_SIZE);
    private final Pointer buffer = NativeMemory.allocate(ReceivedDatagram.MAX_PAYLOAD);

    public DatagramReader() {
        iov.putAddress(0, buffer.address());
        iov.putLong(8, ReceivedDatagram.MAX_PAYLOAD);
    }

    /**
     * Reads one datagram without blocking.
     *
     * @return true if one was read into {@code out}; false when none is waiting or on error
     */
    public boolean read(UdpSocket socket, ReceivedDatagram out) {
        msghdr.putAddress(0, name.address());
        msghdr.putInt(8, SocketAddresses.MAX_LENGTH);
        msghdr.putAddress(16, iov.address());
        msghdr.putLong(24, 1);
        msghdr.putAddress(32, control.address());
        msghdr.putLong(40, CONTROL_SIZE);
        msghdr.putInt(48, 0);
        long n = LibC.INSTANCE.recvmsg(socket.fd(), msghdr, LibC.MSG_DONTWAIT);
        if (n < 0) {
            return false;
        }
        int len = (int) Math.min(n, ReceivedDatagram.MAX_PAYLOAD);
        out.length = len;
        buffer.get(0, out.payload, 0, len);
        out.family = name.getShort(0);
        out.sourcePort = ((name.getByte(2) & 0xff) << 8) | (name.getByte(3) & 0xff);
        if (out.family == LibC.AF_INET) {
            name.get(4, out.source, 0, 4);
        } else {
            name.get(8, out.source, 0, 16);
        }
        out.ttl = -1;
        out.interfaceIndex = 0;
        long controlLength = msghdr.getLong(40);
        int off = 0;
        while (off + 16 <= controlLength) {
            long cmsgLen = control.getLong(off);
            if (cmsgLen < 16 || off + cmsgLen > controlLength) {
                break;
            }
            int level = control.getInt(off + 8);
            int type = control.getInt(off + 12);
            int data = off + 16;
            if (level == LibC.IPPROTO_IP && type == LibC.IP_TTL) {
                out.ttl = control.getInt(data);
            } else if (level == LibC.IPPROTO_IP && type == LibC.IP_PKTINFO) {
                out.interfaceIndex = control.getInt(data); // in_pktinfo {ifindex, spec_dst, addr}
                control.get(data + 8, out.destination, 0, 4);
            } else if (level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_HOPLIMIT) {
                out.ttl = control.getInt(data);
            } else if (level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_PKTINFO) {
                control.get(data, out.destination, 0, 16); // in6_pktinfo {addr, ifindex}
                out.interfaceIndex = control.getInt(data + 16);
            }
            off += (int) ((cmsgLen + 7) & ~7L);
        }
        return true;
    }
}
