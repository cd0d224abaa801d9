package io.gannet.l4lb.forward;

import io.gannet.bpf.lb.Backend;
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

    /**
     * A VIP frontend an earlier run programmed, as the forwarding re-adopted it from the pinned
     * maps, the backends its table sends new flows to (their weights and health are not pinned) and
     * the entries each holds in that table (empty when the table was not read).
     */
    record AdoptedVip(Frontend frontend, List<Backend> backends, java.util.Map<Backend, Integer> tableEntries) {
        public AdoptedVip {
            backends = List.copyOf(backends);
            tableEntries = java.util.Map.copyOf(tableEntries);
        }
    }

    /**
     * The VIP frontends re-adopted when the forwarding came up ({@link #restored}), as they were
     * then: what serves while this run does not know its Services yet. Empty on a fresh start.
     */
    default List<AdoptedVip> adopted() {
        return List.of();
    }

    /** The Maglev table size the forwarding uses (the fingerprints are of tables this size). */
    int tableSize();

    /** Leaves the forwarding state in place (traffic keeps flowing) and releases handles. */
    @Override
    void close();
}
