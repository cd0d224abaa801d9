package io.gannet.linux.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A view of one received message's attributes: {@link #attrs} walks {@code rtattr}s in
 * {@code [from, to)} of the receive buffer and calls back with type, payload offset and
 * length. No copies until a value is asked for.
 */
public final class NlReader {
    /** Called once per attribute. */
    @FunctionalInterface
    public interface AttrVisitor {
        void attr(int type, int offset, int length);
    }

    private final ByteBuffer buf;

    NlReader(ByteBuffer buf) {
        this.buf = buf;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int u8(int at) {
        return buf.get(at) & 0xff;
    }

    public int u16(int at) {
        return buf.getShort(at) & 0xffff;
    }

    public int u32(int at) {
        return buf.getInt(at);
    }

    public void attrs(int from, int to, AttrVisitor v) {
        int p = from;
        while (p + 4 <= to) {
            int len = u16(p);
            int type = u16(p + 2) & ~Nl.NLA_F_NESTED & 0x7fff;
            if (len < 4 || p + len > to) {
                return;
            }
            v.attr(type, p + 4, len - 4);
            p += Nl.align(len);
        }
    }

    public byte[] bytes(int at, int len) {
        byte[] b = new byte[len];
        buf.get(at, b);
        return b;
    }

    public String string(int at, int len) {
        int n = 0;
        while (n < len && buf.get(at + n) != 0) {
            n++;
        }
        return new String(bytes(at, n), StandardCharsets.UTF_8);
    }

    public InetAddress address(int at, int len) {
        try {
            return InetAddress.getByAddress(bytes(at, len));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + len + " bytes", e);
        }
    }
}
