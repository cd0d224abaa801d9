package io.gannet.bpf.libbpf;

/** The few libc calls the datapath needs: interface indexes and network namespaces. */
public interface LibC {
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    int O_DIRECTORY = 0x10000;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;

    int if_nametoindex(String name);

    jnr.ffi.Pointer if_indextoname(int ifindex, jnr.ffi.Pointer name);

    int open(String path, int flags);

    int close(int fd);

    int setns(int fd, int nstype);

    int flock(int fd, int operation);

    /** struct if_nameindex[] of the calling thread's network namespace, ended by index 0. */
    jnr.ffi.Pointer if_nameindex();

    void if_freenameindex(jnr.ffi.Pointer ptr);
}
