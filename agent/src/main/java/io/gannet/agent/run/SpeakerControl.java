package io.gannet.agent.run;

import io.gannet.agent.control.Announcement;
import io.gannet.agent.control.CommandResult;
import io.gannet.agent.control.Community;
import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.DaemonControl;
import io.gannet.agent.control.IpPrefix;
import io.gannet.agent.control.LargeCommunity;
import io.gannet.agent.control.ReloadResult;
import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runtime commands against the running speaker. Each validates against the daemon's state
 * first and changes nothing when it throws.
 */
final class SpeakerControl implements DaemonControl {
    private final BgpSpeaker<Rib> speaker;
    private final SpeakerLoop loop;
    private final Supplier<ReloadResult> reload;
    private final RouteSources sources;
    private final BfdBinding bfd;
    private final PodNetwork pods;
    private volatile L4lbPart l4lb;
    private volatile PolicyPart policy;

    SpeakerControl(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Supplier<ReloadResult> reload) {
        this(speaker, loop, reload, null, null, null);
    }

    /**
     * @param bfd     told of operator disable/enable first, so maintenance is not a BFD flap (may be null)
     * @param pods    the node's pod addressing (IPAM, fixed IPs), or null on a host without pods
     * @param sources which prefixes the profile and operators originate, or null to skip the safeguards
     */
    SpeakerControl(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Supplier<ReloadResult> reload, BfdBinding bfd, PodNetwork pods,
            RouteSources sources) {
        this.pods = pods;
        this.speaker = speaker;
        this.loop = loop;
        this.reload = reload;
        this.sources = sources;
        this.bfd = bfd;
    }

    @Override
    public CommandResult disablePeer(String name, String message) {
        requirePeer(name);
        if (bfd != null) {
            bfd.operatorDisabled(name, true);
        }
        speaker.disable(name, message);
        return new CommandResult(true, "peer " + name + " disabled" + (message == null ? "" : ": " + message));
    }

    @Override
    public CommandResult enablePeer(String name) {
        requirePeer(name);
        if (bfd != null) {
            bfd.operatorDisabled(name, false);
        }
        speaker.enable(name);
        return new CommandResult(true, "peer " + name + " enabled");
    }

    @Override
    public CommandResult resetPeer(String name, String message) {
        requirePeer(name);
        if (bfd != null) {
            bfd.resettingSession(name);
        }
        speaker.reset(name, message);
        return new CommandResult(true, "peer " + name + " reset" + (message == null ? "" : ": " + message));
    }

    @Override
    public CommandResult refreshPeer(String name, RefreshDirection direction) {
        requirePeer(name);
        io.gannet.bgp.session.PeerStatus s = speaker.peer(name);
        if (s.state() != io.gannet.bgp.session.SessionState.ESTABLISHED) {
            throw new ControlException(ControlException.Kind.CONFLICT, "peer " + name + " is " + s.state()
                    + ", not Established: nothing to refresh");
        }
        if (direction == RefreshDirection.IN) {
            if (!speaker.requestRefresh(name)) {
                throw new ControlException(ControlException.Kind.CONFLICT, "peer " + name
                        + " did not announce the route refresh capability (RFC 2918): only a reset makes it resend");
            }
            return new CommandResult(true, "asked " + name + " to send its routes again (ROUTE-REFRESH)");
        }
        boolean done = loop.call(() -> speaker.routes().resendAdjRibOut(name));
        if (!done) {
            throw new ControlException(ControlException.Kind.CONFLICT, "peer " + name + " went down; nothing sent");
        }
        long n = loop.call(() -> speaker.routes().peerCounters(name).advertised());
        return new CommandResult(true, "sent " + name + " our " + n + (n == 1 ? " prefix" : " prefixes")
                + " again (soft reset out)");
    }

    @Override
    public CommandResult announce(Announcement a) {
        return announce(a, false, false);
    }

    /**
     * Refuses (409) a prefix the profile originates unless {@code force}; reports the peers the
     * route went to and warns when none did; with {@code persist} stores it in the state dir.
     * When storing fails, the route is put back as it was and the call fails.
     */
    @Override
    public CommandResult announce(Announcement a, boolean force, boolean persist) {
        if (sources != null && !force && sources.profileOriginates(a.prefix())) {
            throw new ControlException(ControlException.Kind.CONFLICT, a.prefix() + " is originated by the profile ("
                    + sources.profileName() + "); announcing it here would replace the profile's attributes until the "
                    + "next reload or restart. Change the profile, or pass --force to replace it anyway");
        }
        if (persist && sources == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE, "--persist: not available in this daemon");
        }
        Prefix prefix = RouteMapping.prefix(a.prefix());
        LocalRoute route = localRoute(a);
        record Outcome(LocalRoute previous, List<String> advertisedTo, long established) {}
        Outcome o = loop.call(() -> {
            LocalRoute previous = speaker.routes().localRoutes().stream().filter(r -> r.prefix().equals(prefix))
                    .findFirst().orElse(null);
            speaker.routes().announce(route);
            long up = speaker.peers().stream()
                    .filter(s -> s.state() == io.gannet.bgp.session.SessionState.ESTABLISHED).count();
            return new Outcome(previous, speaker.routes().advertisedTo(prefix), up);
        });
        if (sources != null) {
            try {
                sources.operator().put(a, persist);
            } catch (java.io.IOException e) {
                loop.call(() -> {
                    if (o.previous() == null) {
                        speaker.routes().withdraw(prefix);
                    } else {
                        speaker.routes().announce(o.previous());
                    }
                    return null;
                });
                throw new ControlException(ControlException.Kind.INTERNAL, "cannot store " + a.prefix()
                        + " for --persist in the state dir (" + e.getMessage() + "); nothing was announced");
            }
        }
        int n = o.advertisedTo().size();
        String message = (o.previous() != null ? "re-announced " : "announced ") + a.prefix() + " to " + n
                + (n == 1 ? " peer" : " peers") + (n == 0 ? "" : " (" + String.join(", ", o.advertisedTo()) + ")")
                + (persist ? "; stored in the state dir: announced again after a restart" : "");
        String warning = n > 0 ? null : o.established() == 0
                ? "no peer received " + a.prefix() + ": no BGP session is Established (it goes out when one comes up)"
                : "no peer received " + a.prefix() + ": the export policy of every Established session refused it";
        return new CommandResult(true, message, o.advertisedTo(), warning);
    }

    /** The speaker's form of an operator's announcement. */
    static LocalRoute localRoute(Announcement a) {
        List<Integer> communities = new ArrayList<>();
        for (Community c : a.communities()) {
            communities.add((int) c.value());
        }
        List<Communities.Large> large = new ArrayList<>();
        for (LargeCommunity c : a.largeCommunities()) {
            large.add(new Communities.Large(c.globalAdmin(), c.local1(), c.local2()));
        }
        return new LocalRoute(RouteMapping.prefix(a.prefix()), a.origin().ordinal(), a.nextHop(), a.med(), a.localPref(),
                communities, large);
    }

    @Override
    public CommandResult withdraw(IpPrefix prefix) {
        return withdraw(prefix, false);
    }

    /** Refuses (409) a prefix the profile originates unless {@code force}: it would come back on reload or restart. */
    @Override
    public CommandResult withdraw(IpPrefix prefix, boolean force) {
        boolean operators = sources != null && sources.operator().contains(prefix);
        LocalRoute profileRoute = sources == null ? null : sources.profileRoute(prefix);
        if (operators && profileRoute != null) {
            // An operator replaced the profile's route with --force: withdrawing theirs restores the profile's.
            loop.call(() -> {
                speaker.routes().announce(profileRoute);
                return null;
            });
            try {
                sources.operator().remove(prefix);
            } catch (java.io.IOException e) {
                return new CommandResult(true, "withdrew the operator's " + prefix + "; the profile's route is announced again",
                        null, "could not remove it from the state dir's " + OperatorRoutes.FILE + " (" + e.getMessage() + ")");
            }
            return new CommandResult(true, "withdrew the operator's " + prefix + "; the profile's route is announced again");
        }
        if (sources != null && !force && !operators && sources.profileOriginates(prefix)) {
            throw new ControlException(ControlException.Kind.CONFLICT, prefix + " is originated by the profile ("
                    + sources.profileName() + "); withdrawing it here lasts only until the next reload or restart. "
                    + "Remove it from the profile, or pass --force to withdraw it anyway");
        }
        boolean withdrawn = loop.call(() -> speaker.routes().withdraw(RouteMapping.prefix(prefix)));
        if (!withdrawn) {
            throw ControlException.unknownPrefix(prefix);
        }
        if (operators) {
            try {
                sources.operator().remove(prefix);
            } catch (java.io.IOException e) {
                return new CommandResult(true, "withdrew " + prefix, null, "could not remove it from the state dir's "
                        + OperatorRoutes.FILE + " (" + e.getMessage() + "): it would be announced again after a restart");
            }
        }
        return new CommandResult(true, "withdrew " + prefix);
    }

    /** Serves {@code gannet drain} from the L4LB (null: not running). */
    SpeakerControl withL4lb(L4lbPart part) {
        this.l4lb = part;
        return this;
    }

    /** Serves {@code gannet endpoint add|remove} (null: --policy-dir not given). */
    SpeakerControl withPolicy(PolicyPart part) {
        this.policy = part;
        return this;
    }

    @Override
    public java.util.Map<String, Object> endpointAdd(String namespace, String name, List<String> cidrs, java.util.Map<String, String> labels) {
        return PolicyPart.require(policy).endpointAdd(namespace, name, cidrs, labels);
    }

    @Override
    public java.util.Map<String, Object> endpointRemove(String namespace, String name) {
        return PolicyPart.require(policy).endpointRemove(namespace, name);
    }

    @Override
    public CommandResult drain(java.time.Duration grace) {
        if (l4lb == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "drain: the L4 load balancer is not running on this host (role l4lb and --services-dir)");
        }
        String state = grace == null ? l4lb.drainState() : l4lb.drain(grace);
        return new CommandResult(true, state);
    }

    @Override
    public ReloadResult reload() {
        return reload.get();
    }

    private void requirePeer(String name) {
        if (speaker.peer(name) == null) {
            throw ControlException.unknownPeer(name, speaker.peers().stream().map(io.gannet.bgp.session.PeerStatus::name).toList());
        }
    }

    private PodNetwork pods() {
        if (pods == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "ipam: this host has no PodCIDR (an L4LB host, or a profile without podCIDRPool)");
        }
        return pods;
    }

    @Override
    public java.util.Map<String, Object> ipamAllocate(String containerId, String ifName, String podNamespace, String podName, String fixedIp) {
        return pods().allocate(containerId, ifName, podNamespace, podName, fixedIp);
    }

    @Override
    public java.util.Map<String, Object> ipamRelease(String containerId, String ifName) {
        return pods().release(containerId, ifName);
    }

    @Override
    public java.util.Map<String, Object> ipamReserve(String address, String note) {
        return pods().reserve(address, note);
    }

    @Override
    public java.util.Map<String, Object> ipamReleaseAddress(String address) {
        return pods().releaseAddress(address);
    }
}
