package io.gannet.bfd.wire;

/** RFC 5880 4.1 "Diagnostic (Diag)": why the local system last changed state. Codes 9-31 are reserved. */
public enum Diagnostic {
    NONE(0, "No Diagnostic"),
    CONTROL_DETECTION_TIME_EXPIRED(1, "Control Detection Time Expired"),
    ECHO_FUNCTION_FAILED(2, "Echo Function Failed"),
    NEIGHBOR_SIGNALED_SESSION_DOWN(3, "Neighbor Signaled Session Down"),
    FORWARDING_PLANE_RESET(4, "Forwarding Plane Reset"),
    PATH_DOWN(5, "Path Down"),
    CONCATENATED_PATH_DOWN(6, "Concatenated Path Down"),
    ADMINISTRATIVELY_DOWN(7, "Administratively Down"),
    REVERSE_CONCATENATED_PATH_DOWN(8, "Reverse Concatenated Path Down"),
    RESERVED(-1, "Reserved");

    private static final Diagnostic[] BY_CODE = new Diagnostic[32];

    static {
        for (int i = 0; i < 32; i++) {
            BY_CODE[i] = RESERVED;
        }
        for (Diagnostic d : values()) {
            if (d.code >= 0) {
                BY_CODE[d.code] = d;
            }
        }
    }

    private final int code;
    private final String text;

    Diagnostic(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The 5-bit wire code; {@link #RESERVED} encodes as 0 (it is only ever received). */
    public int code() {
        return code < 0 ? 0 : code;
    }

    public String text() {
        return text;
    }

    public static Diagnostic fromCode(int code) {
        return BY_CODE[code & 0x1f];
    }
}
