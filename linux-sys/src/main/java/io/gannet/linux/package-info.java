/**
 * The Linux system calls Gannet makes through jnr-ffi, in one binding (bfd, bpf and
 * bgp-speaker have none of their own): libc ({@link io.gannet.linux.LibC}), errno names ({@link io.gannet.linux.Errno}), network namespaces
 * ({@link io.gannet.linux.Netns}: setns(2) on a dedicated thread), and rtnetlink in {@link
 * io.gannet.linux.netlink}.
 *
 * <p>Threads: nothing here owns a thread. setns(2) changes only the calling thread's
 * namespace, so {@link io.gannet.linux.Netns#call} runs work on a fresh platform thread that
 * enters the namespace and ends; a socket opened there stays in that namespace for its whole
 * life and may then be used from any thread. {@link io.gannet.linux.Netns#enterOnThisThread}
 * moves a thread its caller owns (BFD's timer thread) for good.
 */
package io.gannet.linux;
