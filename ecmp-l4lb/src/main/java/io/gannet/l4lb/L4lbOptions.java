package io.gannet.l4lb;

import io.gannet.l4lb.announce.RouteDamper;
import io.gannet.l4lb.maglev.SlotAgreement;
import io.gannet.l4lb.model.VipPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the L4LB of one host runs.
 *
 * @param servicesDir  directory of Service / EndpointSlice YAML the VIPs come from (null with {@code api})
 * @param api          the Kubernetes API's Services and EndpointSlices instead, or null
 * @param pool         the profile's VIP pool; a VIP outside it is refused
 * @param profileVips  VIP addresses the profile lists for this host (shown even without a Service)
 * @param communities  communities to tag VIP announcements with (the profile's)
 * @param damper       route hysteresis
 * @param reloadPeriod how often the directory is re-read
 * @param slots        where the VIPs' Maglev slots are agreed ({@link SlotAgreement#LOCAL}: plain Maglev)
 */
public record L4lbOptions(Path servicesDir, io.gannet.cluster.k8s.ObjectSource api, VipPool pool, List<String> profileVips,
        List<String> communities, RouteDamper.Options damper, Duration reloadPeriod, SlotAgreement slots) {
    public L4lbOptions {
        profileVips = List.copyOf(profileVips);
        communities = List.copyOf(communities);
    }

    /** Plain Maglev on every host. */
    public L4lbOptions(Path servicesDir, io.gannet.cluster.k8s.ObjectSource api, VipPool pool, List<String> profileVips,
            List<String> communities, RouteDamper.Options damper, Duration reloadPeriod) {
        this(servicesDir, api, pool, profileVips, communities, damper, reloadPeriod, SlotAgreement.LOCAL);
    }

    /** VIPs from a directory. */
    public L4lbOptions(Path servicesDir, VipPool pool, List<String> profileVips, List<String> communities,
            RouteDamper.Options damper, Duration reloadPeriod) {
        this(servicesDir, null, pool, profileVips, communities, damper, reloadPeriod);
    }

    /** The same options with the profile's parts a reload can change. */
    public L4lbOptions withProfile(VipPool pool, List<String> profileVips, List<String> communities) {
        return new L4lbOptions(servicesDir, api, pool, profileVips, communities, damper, reloadPeriod, slots);
    }

    public L4lbOptions withDamper(RouteDamper.Options d) {
        return new L4lbOptions(servicesDir, api, pool, profileVips, communities, d, reloadPeriod, slots);
    }

    /** The same options with the Maglev slots agreed through {@code s}. */
    public L4lbOptions withSlots(SlotAgreement s) {
        return new L4lbOptions(servicesDir, api, pool, profileVips, communities, damper, reloadPeriod, s);
    }
}
