package io.gannet.cluster.store;

/** A store call that failed; the message says what, in the operator's terms. */
public final class StoreException extends RuntimeException {
    public enum Reason {
        /** The store cannot be reached now (etcd down, network); worth retrying with back-off. */
        UNAVAILABLE,
        /** What the store holds cannot be read (damaged file, a value that is not what Gannet wrote). */
        CORRUPT,
        /** The call itself is wrong (bad key, unknown lease). Retrying does not help. */
        BAD_REQUEST,
        /** The store was closed. */
        CLOSED
    }

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public boolean retryable() {
        return reason == Reason.UNAVAILABLE;
    }
}
