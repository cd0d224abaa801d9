package io.gannet.linux.netlink;

/**
 * An interface address ({@code ip addr}): the prefix keeps its host bits (10.1.0.5/24).
 * {@code flags} are the kernel's IFA_F_* bits: the IFA_FLAGS attribute when the kernel sends it
 * (all 32 bits), else the 8 bits of the ifaddrmsg header ({@code ip addr}'s "temporary",
 * "deprecated", "tentative", "dadfailed").
 */
public record Address(int ifindex, Prefix prefix, int scope, int flags) {
    /** IFA_F_TEMPORARY: an IPv6 privacy address (RFC 8981); IFA_F_SECONDARY for IPv4 (same bit). */
    public static final int F_TEMPORARY = 0x01;
    public static final int F_NODAD = 0x02;
    public static final int F_OPTIMISTIC = 0x04;
    /** IFA_F_DADFAILED: duplicate address detection found another holder; the address is not usable. */
    public static final int F_DADFAILED = 0x08;
    /** IFA_F_DEPRECATED: preferred lifetime over (RFC 4862 5.5.4): not used as a source for new flows. */
    public static final int F_DEPRECATED = 0x20;
    /** IFA_F_TENTATIVE: duplicate address detection still running: not usable as a source yet. */
    public static final int F_TENTATIVE = 0x40;
    public static final int F_PERMANENT = 0x80;

    /** An address whose flags were not read (added by this process, or the flags do not matter). */
    public Address(int ifindex, Prefix prefix, int scope) {
        this(ifindex, prefix, scope, 0);
    }

    public boolean temporary() {
        return !prefix.isIpv4() && (flags & F_TEMPORARY) != 0;
    }

    public boolean deprecated() {
        return (flags & F_DEPRECATED) != 0;
    }

    public boolean tentative() {
        return (flags & F_TENTATIVE) != 0;
    }

    public boolean dadFailed() {
        return (flags & F_DADFAILED) != 0;
    }

    @Override
    public String toString() {
        return prefix + " dev #" + ifindex;
    }
}
