package io.gannet.pod.ipam;

/** A refused IPAM request or a damaged IPAM state file; the message is in the user's terms. */
public final class IpamException extends RuntimeException {
    /** Why: callers (CNI plugin, control API) map these to their own error codes. */
    public enum Reason {
        /** No free address left in the node's block. */
        EXHAUSTED,
        /** The request itself is malformed (missing container id, bad names). */
        BAD_REQUEST,
        /** An address asked for is not in the block or pool, or is the gateway/network/broadcast. */
        NOT_IN_RANGE,
        /** An address asked for is already held by someone else. */
        IN_USE,
        /** The pod asks for a fixed IP but no fixed-IP pool is configured, or the pool refused. */
        FIXED_IP_UNAVAILABLE,
        /** The state on disk is unreadable or could not be written. */
        STORAGE
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
