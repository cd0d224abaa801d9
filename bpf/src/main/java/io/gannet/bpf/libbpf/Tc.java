package io.gannet.bpf.libbpf;

import io.gannet.linux.LibC;
import jnr.ffi.Pointer;

/**
 * TC attachment. Where the kernel has tcx (6.6+), through a tcx link pinned under the
 * datapath's links directory ({@link TcxLink}; the methods taking {@code linksDir}); else, and
 * for the methods without it, through libbpf's netlink API (cls_bpf, direct-action, clsact
 * qdisc): the clsact qdisc is shared with whoever else uses the device, created if missing
 * (EEXIST is fine) and never destroyed; Gannet's filter is identified by its own handle and
 * priority, so detaching it leaves other filters alone.
 *
 * <p>Device names resolve in the calling thread's network namespace (see {@link Netns}).
 */
public final class Tc {
    /** Gannet's filter handle ("ga") and priority on every device. */
    public static final int HANDLE = 0x6761;
    public static final int PRIORITY = 20;

    private static final int EEXIST = 17;
    private static final int ENOENT = 2;
    private static final int EINVAL = 22;

    private Tc() {}

    /** Whether tcx links work on this kernel: null until the first attach tried. */
    private static volatile Boolean tcx;

    /** The pin of Gannet's tcx link on a device's hook. */
    public static java.nio.file.Path linkPin(java.nio.file.Path linksDir, String ifname, Direction dir) {
        return linksDir.resolve("tc-" + ifname + "-" + dir.label());
    }

    /**
     * Attaches {@code prog} to a device's hook: through a tcx link pinned under {@code linksDir}
     * where the kernel has tcx, replacing Gannet's program in place; else as Gannet's cls_bpf
     * filter ({@link #attach(String, Direction, BpfProgram)}). A Gannet cls_bpf filter an earlier
     * version left there is removed once the link is in place, so the two never both run.
     * Returns the attached program ID.
     */
    public static int attach(String ifname, Direction dir, BpfProgram prog, java.nio.file.Path linksDir) {
        int ifindex = ifindex(ifname);
        if (!Boolean.FALSE.equals(tcx)) {
            java.nio.file.Path pin = linkPin(linksDir, ifname, dir);
            if (TcxLink.attach(prog, ifindex, dir, pin)) {
                tcx = true;
                detach(ifname, dir);
                return PinnedLink.programId(pin, ifindex);
            }
            tcx = false;
        }
        return attach(ifname, dir, prog);
    }

    /** Removes Gannet's tcx link and cls_bpf filter from the hook; false when there was neither. */
    public static boolean detach(String ifname, Direction dir, java.nio.file.Path linksDir) {
        boolean link = TcxLink.detach(linkPin(linksDir, ifname, dir));
        return detach(ifname, dir) | link;
    }

    /** The program ID Gannet has on the hook (its tcx link's, else its filter's), or 0 when none. */
    public static int query(String ifname, Direction dir, java.nio.file.Path linksDir) {
        int id = PinnedLink.programId(linkPin(linksDir, ifname, dir), Native.get().libc().if_nametoindex(ifname));
        return id != 0 ? id : query(ifname, dir);
    }

    /** "tcx" or "cls_bpf": how the last attach with a links directory attached ("tcx" before any). */
    public static String mode() {
        return Boolean.FALSE.equals(tcx) ? "cls_bpf" : "tcx";
    }

    /** Ingress or egress hook of a device. */
    public enum Direction {
        INGRESS(Opts.TcHook.BPF_TC_INGRESS),
        EGRESS(Opts.TcHook.BPF_TC_EGRESS);

        final int attachPoint;

        Direction(int attachPoint) {
            this.attachPoint = attachPoint;
        }

        /** "ingress" or "egress". */
        public String label() {
            return this == INGRESS ? "ingress" : "egress";
        }
    }

    public static int ifindex(String ifname) {
        int idx = Native.get().libc().if_nametoindex(ifname);
        if (idx == 0) {
            throw new BpfException(BpfException.Kind.NOT_FOUND, "if_nametoindex " + ifname, 19,
                    "no device named " + ifname + " in this network namespace");
        }
        return idx;
    }

    private static Pointer hook(int ifindex, Direction dir) {
        Pointer h = Opts.alloc(Opts.TcHook.SIZE);
        h.putInt(Opts.TcHook.IFINDEX, ifindex);
        h.putInt(Opts.TcHook.ATTACH_POINT, dir.attachPoint);
        return h;
    }

    private static Pointer opts(int progFd, int flags) {
        Pointer o = Opts.alloc(Opts.TcOpts.SIZE);
        o.putInt(Opts.TcOpts.PROG_FD, progFd);
        o.putInt(Opts.TcOpts.FLAGS, flags);
        o.putInt(Opts.TcOpts.HANDLE, HANDLE);
        o.putInt(Opts.TcOpts.PRIORITY, PRIORITY);
        return o;
    }

    /**
     * Attaches {@code prog} at Gannet's handle/priority, atomically replacing a previous
     * Gannet program there (BPF_TC_F_REPLACE). Returns the attached program ID.
     */
    public static int attach(String ifname, Direction dir, BpfProgram prog) {
        LibBpf bpf = Native.get().bpf();
        int ifindex = ifindex(ifname);
        Pointer h = hook(ifindex, dir);
        int ret = bpf.bpf_tc_hook_create(h);
        if (ret < 0 && ret != -EEXIST) {
            throw BpfException.fromErrno("bpf_tc_hook_create (clsact) on " + ifname, ret);
        }
        Pointer o = opts(prog.fd(), Opts.TcOpts.BPF_TC_F_REPLACE);
        BpfException.check("bpf_tc_attach " + prog.name() + " to " + ifname + " " + dir, bpf.bpf_tc_attach(h, o));
        return o.getInt(Opts.TcOpts.PROG_ID);
    }

    /** Removes Gannet's filter only; false when none was attached. The qdisc stays. */
    public static boolean detach(String ifname, Direction dir) {
        int ifindex = Native.get().libc().if_nametoindex(ifname);
        if (ifindex == 0) {
            return false;
        }
        int ret = Native.get().bpf().bpf_tc_detach(hook(ifindex, dir), opts(0, 0));
        if (ret == -ENOENT || ret == -EINVAL) { // no such filter / empty chain
            return false;
        }
        BpfException.check("bpf_tc_detach " + ifname + " " + dir, ret);
        return true;
    }

    /** Every device of the calling thread's network namespace, by name (if_nameindex(3)). */
    public static java.util.List<String> devices() {
        LibC libc = Native.get().libc();
        Pointer arr = libc.if_nameindex();
        java.util.List<String> out = new java.util.ArrayList<>();
        if (arr == null) {
            return out;
        }
        try {
            for (long off = 0; ; off += 16) { // struct if_nameindex { unsigned if_index; char *if_name; }
                if (arr.getInt(off) == 0) {
                    break;
                }
                out.add(arr.getPointer(off + 8).getString(0));
            }
        } finally {
            libc.if_freenameindex(arr);
        }
        return out;
    }

    /** Removes the clsact qdisc of a device (and with it every filter on it). */
    public static void destroyClsact(String ifname) {
        int ifindex = ifindex(ifname);
        Pointer h = Opts.alloc(Opts.TcHook.SIZE);
        h.putInt(Opts.TcHook.IFINDEX, ifindex);
        h.putInt(Opts.TcHook.ATTACH_POINT, Opts.TcHook.BPF_TC_INGRESS | Opts.TcHook.BPF_TC_EGRESS);
        int ret = Native.get().bpf().bpf_tc_hook_destroy(h);
        if (ret < 0 && ret != -ENOENT && ret != -EINVAL) {
            throw BpfException.fromErrno("bpf_tc_hook_destroy (clsact) on " + ifname, ret);
        }
    }

    /** The program ID at Gannet's handle/priority, or 0 when none. */
    public static int query(String ifname, Direction dir) {
        int ifindex = Native.get().libc().if_nametoindex(ifname);
        if (ifindex == 0) {
            return 0;
        }
        Pointer o = opts(0, 0);
        int ret = Native.get().bpf().bpf_tc_query(hook(ifindex, dir), o);
        // ENOENT: no filter at our handle/priority; EINVAL: the kernel's "cannot find
        // specified filter chain" once the hook's last filter is gone.
        if (ret == -ENOENT || ret == -EINVAL) {
            return 0;
        }
        BpfException.check("bpf_tc_query " + ifname + " " + dir, ret);
        return o.getInt(Opts.TcOpts.PROG_ID);
    }
}
