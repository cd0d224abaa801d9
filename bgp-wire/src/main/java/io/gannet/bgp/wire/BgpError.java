package io.gannet.bgp.wire;

/**
 * A protocol error found while checking or decoding a message: the NOTIFICATION that must
 * answer it (RFC 4271 section 6). Thrown by the decoders of this package; the session
 * turns it into a NOTIFICATION and closes the connection. No stack trace: this is a
 * protocol outcome, not a bug, and peers can trigger it at will.
 */
public final class BgpError extends Exception {
    private final int code;
    private final int subcode;
    private final byte[] data;

    public BgpError(int code, int subcode, byte[] data, String detail) {
        super(detail, null, false, false);
        this.code = code;
        this.subcode = subcode;
        this.data = data == null ? new byte[0] : data;
    }

    public BgpError(int code, int subcode, String detail) {
        this(code, subcode, null, detail);
    }

    public int code() {
        return code;
    }

    public int subcode() {
        return subcode;
    }

    public byte[] data() {
        return data.clone();
    }

    public NotificationMessage toNotification() {
        return new NotificationMessage(code, subcode, data);
    }
}
