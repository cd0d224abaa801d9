package io.gannet.topology.diff;

import io.gannet.topology.config.NeighborConfig;
import java.util.List;

/**
 * One neighbor present before and after a change, with what differs.
 *
 * @param fields        names of the NeighborConfig components that differ
 * @param sessionReset  true when a difference can only take effect on a new session
 *                      (it is negotiated in OPEN or fixed by the TCP connection)
 */
public record NeighborChange(String name, NeighborConfig before, NeighborConfig after, List<String> fields, boolean sessionReset) {
    public NeighborChange {
        fields = List.copyOf(fields);
    }
}
