package io.gannet.bpf.libbpf;

/**
 * A refusal by the kernel or libbpf, classified so the message names what to fix.
 * {@link #verifierLog()} holds the verifier's log when a program was rejected.
 */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, from the operator's point of view. */
    public enum Kind {
        /** EPERM/EACCES: the process lacks CAP_BPF / CAP_NET_ADMIN (or CAP_SYS_ADMIN on 5.10). */
        PERMISSION,
        /** The verifier rejected a program; see the log. */
        VERIFIER,
        /** The kernel lacks a program type, map type, helper or feature Gannet needs. */
        KERNEL_TOO_OLD,
        /** The pin directory is not on a bpf filesystem. */
        NO_BPFFS,
        /** libbpf.so.1 missing or too old. */
        MISSING_LIBRARY,
        /** A device, map, key or object that does not exist. */
        NOT_FOUND,
        /** Something Gannet needs is held by someone else (another daemon's pin root, another CNI's hook). */
        BUSY,
        /** Anything else, with errno text. */
        OTHER,
    }

    private final Kind kind;
    private final int errno;
    private final String verifierLog;

    public BpfException(Kind kind, String operation, int errno, String hint) {
        this(kind, operation, errno, hint, "");
    }

    public BpfException(Kind kind, String operation, int errno, String hint, String verifierLog) {
        super(operation + " failed" + (errno != 0 ? " (errno " + errno + ")" : "") + ": " + hint
                + (verifierLog.isEmpty() ? "" : "\n--- verifier log ---\n" + verifierLog));
        this.kind = kind;
        this.errno = errno;
        this.verifierLog = verifierLog;
    }

    /**
     * Classifies a libbpf return code ({@code -errno}) for {@code operation}.
     */
    public static BpfException fromErrno(String operation, int ret) {
        int errno = Math.abs(ret);
        String text = Native.get().strerror(errno);
        return switch (errno) {
            case 1, 13 -> new BpfException(Kind.PERMISSION, operation, errno, text
                    + ": run as root or grant CAP_BPF and CAP_NET_ADMIN (CAP_SYS_ADMIN on kernels before 5.8),"
                    + " and check kernel.unprivileged_bpf_disabled / lockdown");
            case 2, 19 -> new BpfException(Kind.NOT_FOUND, operation, errno, text);
            case 95, 524 -> new BpfException(Kind.KERNEL_TOO_OLD, operation, errno, text
                    + ": the kernel does not support this; Gannet needs Linux >= 5.10 with CONFIG_BPF_SYSCALL,"
                    + " CONFIG_NET_CLS_BPF and CONFIG_NET_SCH_INGRESS");
            default -> new BpfException(Kind.OTHER, operation, errno, text);
        };
    }

    /** Throws unless {@code ret >= 0}; returns {@code ret}. */
    public static int check(String operation, int ret) {
        if (ret < 0) {
            throw fromErrno(operation, ret);
        }
        return ret;
    }

    public Kind kind() {
        return kind;
    }

    public int errno() {
        return errno;
    }

    public String verifierLog() {
        return verifierLog;
    }
}
