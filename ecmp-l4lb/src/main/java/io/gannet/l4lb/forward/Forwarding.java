package io.gannet.l4lb.forward;

import io.gannet.bpf.lb.Frontend;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.List;

/**
 * How this host forwards a VIP's flows to its backends. {@link #program} is called with
 * the whole desired set on every change (idempotent), on the L4LB thread.
 */
public interface Forwarding extends AutoCloseable {

    /**
     * One VIP frontend, the backends it forwards to (the healthy ones) and its table: Maglev over
     * the configured backends with the entries of unhealthy ones failed over, so it names only
     * {@code backends}. The forwarding programs this table as it is (every host the same one).
     */
    record ForwardedVip(String name, Frontend frontend, List<WeightedBackend> backends, VipTable table) {}

    /** Makes the forwarding state equal to {@code vips}. Throws with a reason when the kernel refused. */
    void program(List<ForwardedVip> vips);

    /**
     * Which datapath program serves this VIP's packets, for {@code show vips} ("tc", "xdp generic
     * (...)", or why a VIP is left to TC); "" when the forwarding has no such choice.
     */
    default String pathOf(ForwardedVip v) {
        return "";
    }

    /**
     * Whether the forwarding came up with VIPs an earlier run programmed (pinned maps re-adopted):
     * they go on serving as they were until this run knows its backends' health.
     */
    default boolean restored() {
        return false;
    }

    /** The Maglev table size the forwarding uses (the fingerprints are of tables this size). */
    int tableSize();

    /** Leaves the forwarding state in place (traffic keeps flowing) and releases handles. */
    @Override
    void close();
}
