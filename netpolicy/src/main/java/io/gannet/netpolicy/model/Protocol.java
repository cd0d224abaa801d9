package io.gannet.netpolicy.model;

/** L4 protocols a policy port can name, with their IP protocol numbers; ANY matches all. */
public enum Protocol {
    ANY(0), ICMP(1), TCP(6), UDP(17), SCTP(132), ICMPV6(58);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
