package io.gannet.bfd.wire;

/** RFC 5880 4.1 "State (Sta)": the 2-bit session state carried in every Control packet. */
public enum BfdState {
    ADMIN_DOWN(0), DOWN(1), INIT(2), UP(3);

    private static final BfdState[] BY_CODE = {ADMIN_DOWN, DOWN, INIT, UP};

    private final int code;

    BfdState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The state for a 2-bit wire code; every code 0..3 is defined, so this never fails. */
    public static BfdState fromCode(int code) {
        return BY_CODE[code & 0x3];
    }

    /** The name FRR and BIRD print: AdminDown, Down, Init, Up. */
    public String displayName() {
        return switch (this) {
            case ADMIN_DOWN -> "AdminDown";
            case DOWN -> "Down";
            case INIT -> "Init";
            case UP -> "Up";
        };
    }
}
