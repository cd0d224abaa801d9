package io.gannet.bgp.policy;

/**
 * A named import or export policy. PLACEHOLDER for the routing side to flesh out as data:
 * ordered statements of conditions -> actions (see ../shared/STYLE.md habit 10). The three
 * constants below are the contract the rest of the speaker relies on.
 */
public final class Policy {
    /** Accepts nothing: the node's default import ("learn nothing back"). */
    public static final Policy REJECT_ALL = new Policy("reject-all");
    /** Accepts everything unchanged. */
    public static final Policy ACCEPT_ALL = new Policy("accept-all");
    /** Export only routes this speaker originates (PodCIDR, VIPs): the node's default export. */
    public static final Policy EXPORT_LOCAL_ONLY = new Policy("export-local-only");

    private final String name;

    private Policy(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Policy[" + name + "]";
    }
}
