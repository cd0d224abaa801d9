/**
 * jnr-ffi binding to Debian 12's libbpf 1.1 ({@code libbpf.so.1}): object open/load with
 * pinned-map reuse and verifier-log capture, programs and maps by name, TC attach through
 * netlink cls_bpf (shared clsact qdisc, Gannet's own handle/priority, atomic replace), XDP
 * attach, element and batch map operations, pinning, BPF_PROG_TEST_RUN, kernel feature
 * probes, and network-namespace entry for device operations.
 *
 * <p>Every libbpf option struct is laid out by {@link io.gannet.bpf.libbpf.Opts} with its
 * {@code sz} field set; OptsLayoutTest checks the offsets against the installed headers.
 * Failures become {@link io.gannet.bpf.libbpf.BpfException}s whose kind and message name
 * the fix (capabilities, kernel version, bpffs, verifier log). No ELF parsing happens in Java.
 *
 * <p>Threads: stateless wrappers; the kernel serializes map operations. Device names resolve
 * in the calling thread's network namespace.
 */
package io.gannet.bpf.libbpf;
