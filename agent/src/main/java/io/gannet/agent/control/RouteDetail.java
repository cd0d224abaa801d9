package io.gannet.agent.control;

import java.util.List;
import java.util.Objects;

/**
 * Every candidate path of one prefix and why the best one won.
 *
 * @param prefix     the destination
 * @param paths      all candidates, best first
 * @param bestReason the decisive step of best-path selection (RFC 4271 9.1.2 and the
 *                   deterministic tie-breaks), for example "highest LOCAL_PREF (200)" or
 *                   "only path"
 */
public record RouteDetail(IpPrefix prefix, List<CandidatePath> paths, String bestReason) {
    public RouteDetail {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(bestReason, "bestReason");
        paths = List.copyOf(paths);
    }
}
