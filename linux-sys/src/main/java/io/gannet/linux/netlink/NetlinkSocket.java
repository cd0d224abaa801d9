package io.gannet.linux.netlink;

import io.gannet.linux.Errno;
import io.gannet.linux.LibC;
import io.gannet.linux.Netns;
import io.gannet.linux.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One NETLINK_ROUTE socket: requests with acknowledgements, queries, dumps and batches.
 *
 * <p>The socket lives in the namespace it was opened in ({@link #openIn}); every method is
 * synchronized, buffers are reused, and a request's failure is a {@link NetlinkException}
 * naming the object. Extended acks (NETLINK_EXT_ACK) are on, so the kernel's own words
 * ({@code "Nexthop has invalid gateway"}) reach the message.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int TX_CAPACITY = 64 * 1024;
    private static final int RX_CAPACITY = 256 * 1024;
    /** A batch datagram is flushed when it reaches this size. */
    private static final int BATCH_BYTES = 60 * 1024;

    /** Writes a request's family header and attributes after the nlmsghdr. */
    @FunctionalInterface
    public interface Body {
        void write(NlWriter w);
    }

    /** Receives one message of a reply or dump: {@code [body, end)} is the part after the nlmsghdr. */
    @FunctionalInterface
    public interface Handler {
        void message(int type, NlReader r, int body, int end);
    }

    /** One request of a batch; {@code what} is evaluated only when it failed. */
    public record Request(int type, int flags, Body body, Supplier<String> what) {}

    /** A request of a batch the kernel refused. */
    public record Failure(int index, NetlinkException error) {}

    private final int fd;
    private final NlWriter tx = new NlWriter(TX_CAPACITY);
    private final ByteBuffer rx = ByteBuffer.allocateDirect(RX_CAPACITY).order(ByteOrder.nativeOrder());
    private final NlReader reader = new NlReader(rx);
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        LibC c = LibC.INSTANCE;
        int fd = c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        if (fd < 0) {
            throw new SysException("open a NETLINK_ROUTE socket", Errno.last());
        }
        ByteBuffer one = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 1);
        c.setsockopt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, one, 4); // best effort: older kernels lack it
        ByteBuffer size = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 4 * 1024 * 1024);
        if (c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, size, 4) != 0) {
            c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, size, 4);
        }
        c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, size, 4);
        ByteBuffer sa = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        sa.putShort(0, (short) LibC.AF_NETLINK); // nl_family; nl_pid 0: the kernel assigns one
        if (c.bind(fd, sa, 12) != 0) {
            int e = Errno.last();
            c.close(fd);
            throw new SysException("bind a NETLINK_ROUTE socket", e);
        }
        return new NetlinkSocket(fd);
    }

    /** Opens a socket inside another network namespace ({@code /run/netns/NAME}, {@code /proc/PID/ns/net}). */
    public static NetlinkSocket openIn(Path netns) {
        return Netns.call(netns, NetlinkSocket::open);
    }

    /** Sends one request and waits for its acknowledgement. */
    public synchronized void execute(String what, int type, int flags, Body body) {
        checkOpen();
        int s = nextSeq();
        tx.reset();
        tx.begin(type, flags | Nl.F_REQUEST | Nl.F_ACK, s);
        body.write(tx);
        tx.end();
        send(what);
        receiveUntil(s, what, null, false);
    }

    /** Sends a get request and passes the one reply to {@code handler}. */
    public synchronized void query(String what, int type, Body body, Handler handler) {
        checkOpen();
        int s = nextSeq();
        tx.reset();
        tx.begin(type, Nl.F_REQUEST | Nl.F_ACK, s);
        body.write(tx);
        tx.end();
        send(what);
        receiveUntil(s, what, handler, false);
    }

    /** Dumps a table (links, addresses, routes, neighbours), passing each message to {@code handler}. */
    public synchronized void dump(String what, int type, Body body, Handler handler) {
        checkOpen();
        int s = nextSeq();
        tx.reset();
        tx.begin(type, Nl.F_REQUEST | Nl.F_DUMP, s);
        body.write(tx);
        tx.end();
        send(what);
        receiveUntil(s, what, handler, true);
    }

    /**
     * Sends many requests packed into few datagrams, none asking for an acknowledgement: the
     * kernel acknowledges failed requests on its own, and a trailing NLMSG_NOOP with NLM_F_ACK
     * marks the end of each datagram. Returns the failures (empty when all succeeded); the
     * other requests took effect.
     */
    public synchronized List<Failure> batch(List<Request> requests) {
        checkOpen();
        List<Failure> failures = new ArrayList<>();
        int i = 0;
        while (i < requests.size()) {
            tx.reset();
            int first = i;
            int base = seq + 1;
            while (i < requests.size() && tx.position() < BATCH_BYTES) {
                Request r = requests.get(i);
                tx.begin(r.type(), r.flags() | Nl.F_REQUEST, nextSeq());
                r.body().write(tx);
                tx.end();
                i++;
            }
            int end = nextSeq();
            tx.begin(Nl.NLMSG_NOOP, Nl.F_REQUEST | Nl.F_ACK, end);
            tx.end();
            send("send a batch of " + (i - first) + " netlink requests");
            int firstIndex = first;
            collectBatch(base, end, (s, errno, text) -> {
                int index = firstIndex + (s - base);
                if (index < requests.size()) {
                    failures.add(new Failure(index, new NetlinkException(requests.get(index).what().get(), errno, text)));
                }
            });
        }
        return failures;
    }

    private interface ErrorSink {
        void error(int seq, int errno, String text);
    }

    private void collectBatch(int base, int lastSeq, ErrorSink sink) {
        while (true) {
            int n = recv("read netlink acknowledgements");
            int p = 0;
            while (p + Nl.HDRLEN <= n) {
                int len = rx.getInt(p);
                int type = rx.getShort(p + 4) & 0xffff;
                int s = rx.getInt(p + 8);
                if (len < Nl.HDRLEN) {
                    break;
                }
                if (type == Nl.NLMSG_ERROR && s - base >= 0 && s - lastSeq <= 0) {
                    int errno = -rx.getInt(p + Nl.HDRLEN);
                    if (errno != 0) {
                        sink.error(s, errno, extAck(p, len));
                    }
                    if (s == lastSeq) {
                        return;
                    }
                }
                p += Nl.align(len);
            }
        }
    }

    private void receiveUntil(int s, String what, Handler handler, boolean dump) {
        while (true) {
            int n = recv(what);
            int p = 0;
            while (p + Nl.HDRLEN <= n) {
                int len = rx.getInt(p);
                int type = rx.getShort(p + 4) & 0xffff;
                int msgSeq = rx.getInt(p + 8);
                if (len < Nl.HDRLEN || p + len > n) {
                    break;
                }
                if (msgSeq == s) {
                    if (type == Nl.NLMSG_ERROR) {
                        int errno = -rx.getInt(p + Nl.HDRLEN);
                        if (errno != 0) {
                            throw new NetlinkException(what, errno, extAck(p, len));
                        }
                        if (!dump) {
                            return; // the acknowledgement ends a request or a query
                        }
                    } else if (type == Nl.NLMSG_DONE) {
                        if (dump) {
                            int errno = len >= Nl.HDRLEN + 4 ? -rx.getInt(p + Nl.HDRLEN) : 0;
                            if (errno > 0) {
                                throw new NetlinkException(what, errno, null);
                            }
                            return;
                        }
                    } else if (handler != null && type != Nl.NLMSG_NOOP) {
                        handler.message(type, reader, p + Nl.HDRLEN, p + len);
                    }
                }
                p += Nl.align(len);
            }
        }
    }

    /** The NLMSGERR_ATTR_MSG text of an error message at {@code p}, or null. */
    private String extAck(int p, int len) {
        int flags = rx.getShort(p + 6) & 0xffff;
        if ((flags & Nl.F_ACK_TLVS) == 0) {
            return null;
        }
        int orig = p + Nl.HDRLEN + 4;
        int origLen = (flags & Nl.F_CAPPED) != 0 ? Nl.HDRLEN : rx.getInt(orig);
        int tlvs = orig + Nl.align(origLen);
        String[] text = {null};
        reader.attrs(tlvs, p + len, (type, at, l) -> {
            if (type == Nl.NLMSGERR_ATTR_MSG) {
                text[0] = reader.string(at, l);
            }
        });
        return text[0];
    }

    private void send(String what) {
        ByteBuffer b = tx.buffer();
        int len = b.position();
        b.flip(); // jnr-ffi passes a direct buffer's address plus its position
        long sent = LibC.INSTANCE.send(fd, b, len, 0);
        if (sent < 0) {
            throw new NetlinkException(what, Errno.last(), "sending the request failed");
        }
    }

    private int recv(String what) {
        while (true) {
            rx.clear();
            long n = LibC.INSTANCE.recv(fd, rx, rx.capacity(), 0);
            if (n < 0) {
                int e = Errno.last();
                if (e == Errno.EINTR) {
                    continue;
                }
                throw new NetlinkException(what, e, "reading the kernel's answer failed");
            }
            return (int) n;
        }
    }

    private int nextSeq() {
        seq++;
        if (seq == 0) {
            seq = 1;
        }
        return seq;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
