package io.gannet.linux.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Lays out netlink requests in one reused direct buffer: {@code nlmsghdr}, then the family
 * header written by the caller, then {@code rtattr}s (4-byte aligned, nests closed by
 * {@link #endNest}). Several messages may follow each other for one send (a batch).
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |                          nlmsg_len                            |
 * +-------------------------------+-------------------------------+
 * |          nlmsg_type           |          nlmsg_flags          |
 * +-------------------------------+-------------------------------+
 * |                          nlmsg_seq                            |
 * +---------------------------------------------------------------+
 * |                          nlmsg_pid                            |
 * +---------------------------------------------------------------+
 * |  family header (rtmsg 12, ifinfomsg 16, ifaddrmsg 8, ndmsg 12)|
 * +-------------------------------+-------------------------------+
 * |           rta_len             |           rta_type            | payload, padded to 4
 * +-------------------------------+-------------------------------+
 * </pre>
 */
public final class NlWriter {
    private ByteBuffer buf;
    private int msgStart = -1;

    NlWriter(int capacity) {
        buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    void reset() {
        buf.clear();
        msgStart = -1;
    }

    ByteBuffer buffer() {
        return buf;
    }

    int position() {
        return buf.position();
    }

    /** Starts a message; the family header and attributes follow. */
    NlWriter begin(int type, int flags, int seq) {
        ensure(256);
        msgStart = buf.position();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        return this;
    }

    /** Closes the current message: fills in nlmsg_len. */
    void end() {
        pad();
        buf.putInt(msgStart, buf.position() - msgStart);
        msgStart = -1;
    }

    /** Drops a message begun but not ended (used when an encoder rejects its input). */
    void abandon(int at) {
        buf.position(at);
        msgStart = -1;
    }

    public NlWriter u8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public NlWriter u16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public NlWriter u32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    public NlWriter zeros(int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf.put((byte) 0);
        }
        return this;
    }

    public NlWriter attr(int type, byte[] payload) {
        ensure(4 + payload.length + 3);
        buf.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
        pad();
        return this;
    }

    public NlWriter attrU32(int type, int v) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type).putInt(v);
        return this;
    }

    public NlWriter attrAddress(int type, InetAddress a) {
        return attr(type, a.getAddress());
    }

    /** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
    public NlWriter attrString(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return attr(type, z);
    }

    /** Opens a nested attribute; returns the token {@link #endNest} needs. */
    public int beginNest(int type) {
        ensure(4);
        int at = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return at;
    }

    public void endNest(int token) {
        pad();
        buf.putShort(token, (short) (buf.position() - token));
    }

    /** Opens a raw region whose first two bytes are a length (rtnexthop); closed by {@link #endLength}. */
    int mark() {
        return buf.position();
    }

    void endLength(int token) {
        buf.putShort(token, (short) (buf.position() - token));
    }

    private void pad() {
        int p = buf.position();
        int aligned = Nl.align(p);
        ensure(aligned - p);
        while (buf.position() < aligned) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buf.remaining() >= more) {
            return;
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buf.capacity() * 2, buf.position() + more + 1024))
                .order(ByteOrder.nativeOrder());
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }
}
