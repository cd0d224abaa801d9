package io.gannet.agent.run;

import io.gannet.agent.control.IpPrefix;
import io.gannet.bgp.rib.LocalRoute;
import java.util.List;
import java.util.function.Supplier;

/**
 * Who originates each of the daemon's own routes: the profile (the host's announcements, as
 * of the last start or reload) or an operator at run time ({@code gannet announce}). {@code
 * show routes} marks each local route with its source, and announce/withdraw refuse to
 * silently replace or remove what the profile originates.
 *
 * <p>Threads: any; the profile's routes are read through the daemon's supplier, the operator
 * routes are synchronized.
 */
final class RouteSources {
    /** The source of a route learned from a BGP peer. */
    static final String PEER = "peer";
    /** The RIB's name for the origin of local paths (RibViews.PathView#peer). */
    static final String LOCAL_PATH = "local";
    static final String PROFILE = "profile";
    static final String OPERATOR = "operator";

    private final Supplier<List<LocalRoute>> profileRoutes;
    private final String profileName;
    private final OperatorRoutes operator;

    RouteSources(Supplier<List<LocalRoute>> profileRoutes, String profileName, OperatorRoutes operator) {
        this.profileRoutes = profileRoutes;
        this.profileName = profileName;
        this.operator = operator;
    }

    boolean profileOriginates(IpPrefix prefix) {
        return profileRoute(prefix) != null;
    }

    /** The profile's route for {@code prefix}, or null. */
    LocalRoute profileRoute(IpPrefix prefix) {
        var p = RouteMapping.prefix(prefix);
        return profileRoutes.get().stream().filter(r -> r.prefix().equals(p)).findFirst().orElse(null);
    }

    /** How errors name the profile ("profile.yaml, node node1"). */
    String profileName() {
        return profileName;
    }

    OperatorRoutes operator() {
        return operator;
    }

    /** The source of a local route (one with no peer): operator if an operator announced it last, else profile. */
    String ofLocal(IpPrefix prefix) {
        return operator.contains(prefix) ? OPERATOR : PROFILE;
    }
}
