package io.gannet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.testsupport.Requirements;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The UDP calls of {@link LibC} against the kernel, in a namespace of the test's own: the
 * ByteBuffer and Pointer overloads of bind and setsockopt each reach libc with their own
 * argument, and a datagram sent with sendto comes back from poll and recvmsg with its TTL and
 * receiving interface as control messages (what BFD's transport relies on).
 */
class LibCTest {
    private static final LibC C = LibC.INSTANCE;
    private static final Runtime RUNTIME = Runtime.getRuntime(C);
    private NetworkNamespace ns;

    @BeforeEach
    void setUp() {
        Requirements.requireNetns();
        ns = NetworkNamespace.create("libc");
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void overloadedSetsockoptPassesEachArgumentKind() {
        Netns.run(Netns.named(ns.name()), () -> {
            int fd = udpSocket();
            try {
                Pointer p = Memory.allocateDirect(RUNTIME, 4, true);
                p.putInt(0, 8192);
                assertThat(C.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, p, 4)).isZero();
                assertThat(rcvbuf(fd)).isEqualTo(2 * 8192); // the kernel doubles it for its bookkeeping

                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 12288);
                assertThat(C.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, b, 4)).isZero();
                assertThat(rcvbuf(fd)).isEqualTo(2 * 12288);
            } finally {
                C.close(fd);
            }
        });
    }

    @Test
    void sendtoPollAndRecvmsgCarryTheTtlAndInterface() {
        Netns.run(Netns.named(ns.name()), () -> {
            int rx = udpSocket();
            int tx = udpSocket();
            try {
                setInt(rx, LibC.IPPROTO_IP, LibC.IP_RECVTTL, 1);
                setInt(rx, LibC.IPPROTO_IP, LibC.IP_PKTINFO, 1);
                Pointer rxAddr = sockaddrLoopback(3784);
                assertThat(C.bind(rx, rxAddr, 16)).as("bind(Pointer)").isZero();

                ByteBuffer ttl = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 255);
                assertThat(C.setsockopt(tx, LibC.IPPROTO_IP, LibC.IP_TTL, ttl, 4)).isZero();
                byte[] sa = new byte[16];
                sockaddrLoopback(49152).get(0, sa, 0, sa.length);
                ByteBuffer txAddr = ByteBuffer.allocateDirect(16).put(0, sa);
                assertThat(C.bind(tx, txAddr, 16)).as("bind(ByteBuffer)").isZero();
                assertThat(C.bind(tx, txAddr, 16)).isEqualTo(-1);
                assertThat(Errno.last()).isEqualTo(Errno.EINVAL); // already bound: the overload reached bind(2)

                Pointer msghdr = Memory.allocateDirect(RUNTIME, 56, true);
                Pointer iov = Memory.allocateDirect(RUNTIME, 16, true);
                Pointer name = Memory.allocateDirect(RUNTIME, 28, true);
                Pointer control = Memory.allocateDirect(RUNTIME, 256, true);
                Pointer buffer = Memory.allocateDirect(RUNTIME, 64, true);
                assertThat(C.recvmsg(rx, msghdr, LibC.MSG_DONTWAIT)).isEqualTo(-1);
                assertThat(Errno.last()).isEqualTo(Errno.EAGAIN);

                byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
                Pointer data = Memory.allocateDirect(RUNTIME, payload.length, true);
                data.put(0, payload, 0, payload.length);
                assertThat(C.sendto(tx, data, payload.length, 0, rxAddr, 16)).isEqualTo(payload.length);

                Pointer pollfd = Memory.allocateDirect(RUNTIME, 8, true);
                pollfd.putInt(0, rx);
                pollfd.putShort(4, LibC.POLLIN);
                assertThat(C.poll(pollfd, 1, 2000)).isEqualTo(1);
                assertThat(pollfd.getShort(6) & LibC.POLLIN).isEqualTo(LibC.POLLIN);

                iov.putAddress(0, buffer.address());
                iov.putLong(8, buffer.size());
                msghdr.putAddress(0, name.address());
                msghdr.putInt(8, 28);
                msghdr.putAddress(16, iov.address());
                msghdr.putLong(24, 1);
                msghdr.putAddress(32, control.address());
                msghdr.putLong(40, control.size());
                assertThat(C.recvmsg(rx, msghdr, LibC.MSG_DONTWAIT)).isEqualTo(payload.length);
                byte[] got = new byte[payload.length];
                buffer.get(0, got, 0, got.length);
                assertThat(got).isEqualTo(payload);
                assertThat(((name.getByte(2) & 0xff) << 8) | (name.getByte(3) & 0xff)).isEqualTo(49152);

                int receivedTtl = -1;
                int ifindex = -1;
                long controlLength = msghdr.getLong(40);
                for (int off = 0; off + 16 <= controlLength; ) {
                    long len = control.getLong(off);
                    int level = control.getInt(off + 8);
                    int type = control.getInt(off + 12);
                    if (level == LibC.IPPROTO_IP && type == LibC.IP_TTL) {
                        receivedTtl = control.getInt(off + 16);
                    } else if (level == LibC.IPPROTO_IP && type == LibC.IP_PKTINFO) {
                        ifindex = control.getInt(off + 16);
                    }
                    off += (int) ((len + 7) & ~7L);
                }
                assertThat(receivedTtl).isEqualTo(255);
                assertThat(ifindex).isEqualTo(C.if_nametoindex("lo"));
            } finally {
                C.close(rx);
                C.close(tx);
            }
        });
    }

    @Test
    void enterOnThisThreadMovesOnlyTheCallingThread() throws Exception {
        long here = Netns.cookieHere();
        long there = Netns.call(Netns.named(ns.name()), Netns::cookieHere);
        assertThat(there).isNotEqualTo(here);
        AtomicLong seen = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Netns.enterOnThisThread(Netns.named(ns.name()));
                seen.set(Netns.cookieHere());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        assertThat(failure.get()).isNull();
        assertThat(seen.get()).isEqualTo(there);
        assertThat(Netns.cookieHere()).isEqualTo(here);
    }

    private static int udpSocket() {
        int fd = C.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.IPPROTO_UDP);
        assertThat(fd).as("socket").isGreaterThanOrEqualTo(0);
        return fd;
    }

    private static void setInt(int fd, int level, int option, int value) {
        Pointer p = Memory.allocateDirect(RUNTIME, 4, true);
        p.putInt(0, value);
        assertThat(C.setsockopt(fd, level, option, p, 4)).isZero();
    }

    private static int rcvbuf(int fd) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        assertThat(C.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, v, new int[] {4})).isZero();
        return v.getInt(0);
    }

    /** struct sockaddr_in for 127.0.0.1:{@code port}. */
    private static Pointer sockaddrLoopback(int port) {
        Pointer p = Memory.allocateDirect(RUNTIME, 16, true);
        p.putShort(0, (short) LibC.AF_INET);
        p.putByte(2, (byte) (port >>> 8));
        p.putByte(3, (byte) port);
        p.put(4, new byte[] {127, 0, 0, 1}, 0, 4);
        return p;
    }
}
