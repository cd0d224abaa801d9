package io.gannet.linux;

/**
 * A system call or netlink request the kernel refused. The message names what was asked in
 * the operator's terms ({@code add route 10.1.0.0/24 via 10.0.0.1 table 254}) and the errno
 * by name ({@code EEXIST (File exists)}); {@link #errno} lets callers react to one case.
 */
public class SysException extends RuntimeException {
    private final int errno;
    private final String operation;

    public SysException(String operation, int errno) {
        this(operation, errno, null);
    }

    public SysException(String operation, int errno, String detail) {
        super(operation + ": " + Errno.describe(errno) + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.errno = errno;
        this.operation = operation;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** {@code EEXIST}, {@code ENETUNREACH}, ... */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What was asked, without the error. */
    public String operation() {
        return operation;
    }
}
