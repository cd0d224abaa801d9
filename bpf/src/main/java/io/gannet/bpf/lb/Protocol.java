package io.gannet.bpf.lb;

/** L4 protocols the service datapath translates, with their IP protocol numbers. */
public enum Protocol {
    TCP(6),
    UDP(17);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static Protocol ofNumber(int n) {
        for (Protocol p : values()) {
            if (p.number == n) {
                return p;
            }
        }
        throw new IllegalArgumentException("unsupported IP protocol " + n);
    }

    /** Kubernetes spelling ("TCP", "UDP"); SCTP and others are rejected. */
    public static Protocol parse(String s) {
        return switch (s == null ? "TCP" : s.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            default -> throw new IllegalArgumentException("unsupported protocol '" + s + "' (TCP and UDP only)");
        };
    }
}
