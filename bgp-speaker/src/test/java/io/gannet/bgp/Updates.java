package io.gannet.bgp;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.MessageHeader;
import io.gannet.bgp.wire.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;

/**
 * Hand-built UPDATE messages for session-layer tests (the real encoder is the RIB's): an
 * IPv4 announcement or withdrawal with ORIGIN, AS_PATH and NEXT_HOP, and End-of-RIB
 * (RFC 4724 2). Byte layouts per RFC 4271 4.3.
 */
public final class Updates {
    private Updates() {}

    /** RFC 4724 2: IPv4 EoR is an empty UPDATE; other families an MP_UNREACH_NLRI with no prefixes. */
    public static ByteBuf endOfRib(ByteBufAllocator alloc, AddressFamily af) {
        ByteBuf out = alloc.buffer(32);
        int start = MessageHeader.start(out, MessageType.UPDATE);
        out.writeShort(0);
        if (af.equals(AddressFamily.IPV4_UNICAST)) {
            out.writeShort(0);
        } else {
            out.writeShort(6);
            out.writeByte(0x80).writeByte(15).writeByte(3).writeShort(af.afi()).writeByte(af.safi());
        }
        MessageHeader.finish(out, start);
        return out;
    }

    /** ORIGIN IGP, AS_PATH [asPath...] (2- or 4-octet ASNs), NEXT_HOP, one IPv4 prefix. */
    public static ByteBuf announceIpv4(ByteBufAllocator alloc, boolean fourOctet, long[] asPath, InetAddress nextHop,
                                       InetAddress prefix, int length) {
        ByteBuf out = alloc.buffer(64);
        int start = MessageHeader.start(out, MessageType.UPDATE);
        out.writeShort(0);
        int attrLenAt = out.writerIndex();
        out.writeShort(0);
        out.writeByte(0x40).writeByte(1).writeByte(1).writeByte(0);
        int asWidth = fourOctet ? 4 : 2;
        out.writeByte(0x40).writeByte(2);
        if (asPath.length == 0) {
            out.writeByte(0);
        } else {
            out.writeByte(2 + asPath.length * asWidth).writeByte(2).writeByte(asPath.length);
            for (long as : asPath) {
                if (fourOctet) {
                    out.writeInt((int) as);
                } else {
                    out.writeShort((int) as);
                }
            }
        }
        out.writeByte(0x40).writeByte(3).writeByte(4).writeBytes(nextHop.getAddress());
        out.setShort(attrLenAt, out.writerIndex() - attrLenAt - 2);
        writePrefix(out, prefix, length);
        MessageHeader.finish(out, start);
        return out;
    }

    public static ByteBuf withdrawIpv4(ByteBufAllocator alloc, InetAddress prefix, int length) {
        ByteBuf out = alloc.buffer(32);
        int start = MessageHeader.start(out, MessageType.UPDATE);
        out.writeShort(1 + (length + 7) / 8);
        writePrefix(out, prefix, length);
        out.writeShort(0);
        MessageHeader.finish(out, start);
        return out;
    }

    private static void writePrefix(ByteBuf out, InetAddress prefix, int length) {
        out.writeByte(length);
        out.writeBytes(prefix.getAddress(), 0, (length + 7) / 8);
    }
}
