package io.gannet.bfd.transport;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/**
 * The libc calls the JDK does not offer: raw UDP sockets whose TTL can be set and whose
 * received TTL can be read (RFC 5881 5), bound to a device, and setns(2) to open sockets
 * inside a network namespace. Constants are Linux's (x86_64 and aarch64 share them).
 */
public interface LibC {
    int AF_INET = 2;
    int AF_INET6 = 10;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int IPPROTO_IP = 0;
    int IPPROTO_UDP = 17;
    int IPPROTO_IPV6 = 41;
    int SOL_SOCKET = 1;
    int SO_REUSEADDR = 2;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SO_BINDTODEVICE = 25;
    int IP_TTL = 2;
    int IP_PKTINFO = 8;
    int IP_RECVTTL = 12;
    int IPV6_UNICAST_HOPS = 16;
    int IPV6_V6ONLY = 26;
    int IPV6_RECVPKTINFO = 49;
    int IPV6_PKTINFO = 50;
    int IPV6_RECVHOPLIMIT = 51;
    int IPV6_HOPLIMIT = 52;
    int CLONE_NEWNET = 0x40000000;
    int O_RDONLY = 0;
    int EAGAIN = 11;
    int EINTR = 4;
    int EADDRINUSE = 98;
    int EACCES = 13;
    short POLLIN = 1;
    int SCHED_FIFO = 1;

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, Pointer addr, int addrlen);

    @SaveError
    int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

    @SaveError
    long recvmsg(int fd, Pointer msghdr, int flags);

    @SaveError
    long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen);

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

    @SaveError
    int sched_setscheduler(int pid, int policy, Pointer param);

    String strerror(int errnum);
}
