package io.gannet.bpf.libbpf;

import jnr.ffi.Pointer;

/** XDP attach/detach through libbpf 1.1 ({@code bpf_xdp_attach} / {@code bpf_xdp_detach}). */
public final class Xdp {
    /** XDP_FLAGS_SKB_MODE: generic XDP, works on every driver (veth included). */
    public static final int FLAGS_SKB_MODE = 1 << 1;
    /** XDP_FLAGS_DRV_MODE: native driver XDP. */
    public static final int FLAGS_DRV_MODE = 1 << 2;

    private Xdp() {}

    public static void attach(String ifname, BpfProgram prog, int flags) {
        int ifindex = Tc.ifindex(ifname);
        BpfException.check("bpf_xdp_attach " + prog.name() + " to " + ifname,
                Native.get().bpf().bpf_xdp_attach(ifindex, prog.fd(), flags, Opts.alloc(Opts.XdpAttach.SIZE)));
    }

    public static void detach(String ifname, int flags) {
        int ifindex = Tc.ifindex(ifname);
        Pointer opts = Opts.alloc(Opts.XdpAttach.SIZE);
        BpfException.check("bpf_xdp_detach " + ifname, Native.get().bpf().bpf_xdp_detach(ifindex, flags, opts));
    }
}
