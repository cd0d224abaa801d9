package io.gannet.linux;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The libc calls Gannet needs beyond the JDK: netlink sockets, socket options, setns(2),
 * interface indexes and names, flock(2). The one binding of the project (bfd keeps its own
 * for recvmsg/poll until it moves here).
 * Constants are Linux's (x86_64 and aarch64 share them). Buffers passed here are direct
 * {@link ByteBuffer}s read or written from position 0.
 */
public interface LibC {
    int AF_UNSPEC = 0;
    int AF_INET = 2;
    int AF_INET6 = 10;
    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int SOL_SOCKET = 1;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_RCVBUFFORCE = 33;
    int SOL_NETLINK = 270;
    int NETLINK_EXT_ACK = 11;
    int NETLINK_GET_STRICT_CHK = 12;
    int MSG_TRUNC = 0x20;
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

    @SaveError
    int setsockopt(int fd, int level, int optname, ByteBuffer optval, int optlen);

    /** {@code optlen}: one int, the buffer's size in, the option's size out. */
    @SaveError
    int getsockopt(int fd, int level, int optname, ByteBuffer optval, int[] optlen);

    @SaveError
    long send(int fd, ByteBuffer buf, long len, int flags);

    @SaveError
    long recv(int fd, ByteBuffer buf, long len, int flags);

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
    jnr.ffi.Pointer if_indextoname(int ifindex, jnr.ffi.Pointer name);

    /** struct if_nameindex[] of the calling thread's network namespace, ended by index 0; free with {@link #if_freenameindex}. */
    jnr.ffi.Pointer if_nameindex();

    void if_freenameindex(jnr.ffi.Pointer ptr);

    @SaveError
    int flock(int fd, int operation);

    String strerror(int errnum);
}
