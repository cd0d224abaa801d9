package io.gannet.bgp.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Records what the FSM sends; the test plays the peer. */
final class FakeConnection implements Connection {
    final boolean outbound;
    final InetAddress remote;
    final List<byte[]> sent = new ArrayList<>();
    boolean writable = true;
    boolean closed;
    boolean aborted;
    int maxLength = 4096;

    FakeConnection(boolean outbound, InetAddress remote) {
        this.outbound = outbound;
        this.remote = remote;
    }

    @Override public boolean outbound() { return outbound; }
    @Override public InetAddress remoteAddress() { return remote; }
    @Override public InetAddress localAddress() { return InetAddress.getLoopbackAddress(); }
    @Override public ByteBufAllocator alloc() { return UnpooledByteBufAllocator.DEFAULT; }

    @Override
    public void send(ByteBuf message) {
        sent.add(ByteBufUtil.getBytes(message));
        message.release();
    }

    @Override public void flush() {}
    @Override public boolean isWritable() { return writable; }
    @Override public void maxMessageLength(int length) { maxLength = length; }
    /** Called on close, before close() returns: netty reports a failed write's close this way. */
    Runnable onClose = () -> {};

    @Override public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
    @Override public void abort() { aborted = true; closed = true; }

    /** Types of the messages sent so far. */
    List<Integer> types() {
        return sent.stream().map(b -> b[18] & 0xff).toList();
    }

    byte[] last() {
        return sent.get(sent.size() - 1);
    }

    /** "code/subcode" of the last message, which must be a NOTIFICATION. */
    String lastNotification() {
        byte[] b = last();
        if ((b[18] & 0xff) != 3) {
            throw new AssertionError("last message is type " + (b[18] & 0xff));
        }
        return (b[19] & 0xff) + "/" + (b[20] & 0xff);
    }

    byte[] lastNotificationData() {
        byte[] b = last();
        return java.util.Arrays.copyOfRange(b, 21, b.length);
    }
}
