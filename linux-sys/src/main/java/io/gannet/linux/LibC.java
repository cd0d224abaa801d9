package io.gannet.linux;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/**
 * The libc calls Gannet needs beyond the JDK: netlink sockets, UDP sockets with ancillary
 * data (recvmsg(2), sendto(2), poll(2): BFD's transport), socket options, setns(2), interface
 * indexes and names, flock(2), sched_setscheduler(2). The one binding of the project.
 * Constants are Linux's (x86_64 and aarch64 share them); errno values are in {@link Errno}.
 * Buffers passed here are direct {@link ByteBuffer}s read or written from position 0, or
 * native memory ({@link Pointer}) where a structure must hold the address of another (a
 * msghdr's iovec and control buffers) or a caller reuses one buffer per packet.
 */
public interface LibC {
    int AF_UNSPEC = 0;
    int AF_INET = 2;
    int AF_INET6 = 10;
    int AF_NETLINK = 16;
    int SOCK_DGRAM = 2;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int IPPROTO_IP = 0;
    int IPPROTO_UDP = 17;
    int IPPROTO_IPV6 = 41;
    int SOL_SOCKET = 1;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_BINDTODEVICE = 25;
    int SO_RCVBUFFORCE = 33;
    int SOL_NETLINK = 270;
    int NETLINK_EXT_ACK = 11;
    int NETLINK_GET_STRICT_CHK = 12;
    /** IPPROTO_IP options; IP_TTL is also the type of the TTL control message IP_RECVTTL asks for. */
    int IP_TTL = 2;
    int IP_PKTINFO = 8;
    int IP_RECVTTL = 12;
    /** IPPROTO_IPV6 options and control message types. */
    int IPV6_UNICAST_HOPS = 16;
    int IPV6_V6ONLY = 26;
    int IPV6_RECVPKTINFO = 49;
    int IPV6_PKTINFO = 50;
    int IPV6_RECVHOPLIMIT = 51;
    int IPV6_HOPLIMIT = 52;
    int MSG_TRUNC = 0x20;
    int MSG_DONTWAIT = 0x40;
    /** struct pollfd's events: data to read. */
    short POLLIN = 1;
    int SCHED_FIFO = 1;
    int CLONE_NEWNET = 0x40000000;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int O_DIRECTORY = 0x10000;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, ByteBuffer addr, int addrlen);

    /** {@link #bind(int, ByteBuffer, int)} with the sockaddr in native memory. */
    @SaveError
    int bind(int fd, Pointer addr, int addrlen);

    @SaveError
    int setsockopt(int fd, int level, int optname, ByteBuffer optval, int optlen);

    /** {@link #setsockopt(int, int, int, ByteBuffer, int)} with the value in native memory. */
    @SaveError
    int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

    /** {@code optlen}: one int, the buffer's size in, the option's size out. */
    @SaveError
    int getsockopt(int fd, int level, int optname, ByteBuffer optval, int[] optlen);

    @SaveError
    long send(int fd, ByteBuffer buf, long len, int flags);

    @SaveError
    long recv(int fd, ByteBuffer buf, long len, int flags);

    /**
     * {@code msghdr}: a struct msghdr (LP64: name@0, namelen@8, iov@16, iovlen@24, control@32,
     * controllen@40, flags@48) whose pointers are native addresses; the kernel updates namelen,
     * controllen and flags.
     */
    @SaveError
    long recvmsg(int fd, Pointer msghdr, int flags);

    @SaveError
    long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen);

    /** {@code fds}: {@code nfds} struct pollfd {int fd; short events; short revents;}. */
    @SaveError
    int poll(Pointer fds, long nfds, int timeoutMillis);

    @SaveError
    int close(int fd);

    @SaveError
    int open(String path, int flags);

    @SaveError
    int setns(int fd, int nstype);

    @SaveError
    int if_nametoindex(String name);

    /** Writes the name of {@code ifindex} into {@code name} (IF_NAMESIZE bytes); null when there is none. */
    @SaveError
    Pointer if_indextoname(int ifindex, Pointer name);

    /** struct if_nameindex[] of the calling thread's network namespace, ended by index 0; free with {@link #if_freenameindex}. */
    Pointer if_nameindex();

    void if_freenameindex(Pointer ptr);

    @SaveError
    int flock(int fd, int operation);

    /** {@code pid} 0 is the calling thread; {@code param}: struct sched_param {int sched_priority;}. */
    @SaveError
    int sched_setscheduler(int pid, int policy, Pointer param);

    String strerror(int errnum);
}
