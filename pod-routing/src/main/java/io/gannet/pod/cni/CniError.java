package io.gannet.pod.cni;

/**
 * A CNI error result (spec section "Error"): a well-known code (1-99) or a Gannet one (100+),
 * a message in the operator's terms and optional details.
 */
public final class CniError extends RuntimeException {
    public static final int INCOMPATIBLE_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODE_FAILURE = 6;
    public static final int INVALID_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    public static final int NOT_AVAILABLE = 50;
    /** Gannet: the (container id, interface) is already attached. */
    public static final int ALREADY_ATTACHED = 100;
    /** Gannet: no address (block exhausted, fixed IP unavailable). */
    public static final int NO_ADDRESS = 101;
    /** Gannet: the kernel refused a netlink request. */
    public static final int KERNEL_REFUSED = 102;
    /** Gannet: CHECK found the attachment not as wired. */
    public static final int CHECK_FAILED = 103;

    private final int code;
    private final String details;

    public CniError(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public CniError(int code, String msg) {
        this(code, msg, "");
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }
}
