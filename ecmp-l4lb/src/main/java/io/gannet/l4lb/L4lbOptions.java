package io.gannet.l4lb;

import io.gannet.l4lb.announce.RouteDamper;
import io.gannet.l4lb.model.VipPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the L4LB of one host runs.
 *
 * @param servicesDir  directory of Service / EndpointSlice YAML the VIPs come from
 * @param pool         the profile's VIP pool; a VIP outside it is refused
 * @param profileVips  VIP addresses the profile lists for this host (shown even without a Service)
 * @param communities  communities to tag VIP announcements with (the profile's)
 * @param damper       route hysteresis
 * @param reloadPeriod how often the directory is re-read
 */
public record L4lbOptions(Path servicesDir, VipPool pool, List<String> profileVips, List<String> communities,
        RouteDamper.Options damper, Duration reloadPeriod) {
    public L4lbOptions {
        profileVips = List.copyOf(profileVips);
        communities = List.copyOf(communities);
    }

    public L4lbOptions withDamper(RouteDamper.Options d) {
        return new L4lbOptions(servicesDir, pool, profileVips, communities, d, reloadPeriod);
    }
}
