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
    private volatile L4lbPart l4lb;

    SpeakerControl(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Supplier<ReloadResult> reload) {
        this.speaker = speaker;
        this.loop = loop;
        this.reload = reload;
    }

    @Override
    public CommandResult disablePeer(String name, String message) {
        requirePeer(name);
        speaker.disable(name, message);
        return new CommandResult(true, "peer " + name + " disabled" + (message == null ? "" : ": " + message));
    }

    @Override
    public CommandResult enablePeer(String name) {
        requirePeer(name);
        speaker.enable(name);
        return new CommandResult(true, "peer " + name + " enabled");
    }

    @Override
    public CommandResult resetPeer(String name, String message) {
        requirePeer(name);
        speaker.reset(name, message);
        return new CommandResult(true, "peer " + name + " reset" + (message == null ? "" : ": " + message));
    }

    @Override
    public CommandResult announce(Announcement a) {
        Prefix prefix = RouteMapping.prefix(a.prefix());
        List<Integer> communities = new ArrayList<>();
        for (Community c : a.communities()) {
            communities.add((int) c.value());
        }
        List<Communities.Large> large = new ArrayList<>();
        for (LargeCommunity c : a.largeCommunities()) {
            large.add(new Communities.Large(c.globalAdmin(), c.local1(), c.local2()));
        }
        LocalRoute route = new LocalRoute(prefix, a.origin().ordinal(), a.nextHop(), a.med(), a.localPref(), communities, large);
        boolean replaced = loop.call(() -> {
            boolean existed = speaker.routes().localRoutes().stream().anyMatch(r -> r.prefix().equals(prefix));
            speaker.routes().announce(route);
            return existed;
        });
        return new CommandResult(true, (replaced ? "re-announced " : "announced ") + a.prefix());
    }

    @Override
    public CommandResult withdraw(IpPrefix prefix) {
        boolean withdrawn = loop.call(() -> speaker.routes().withdraw(RouteMapping.prefix(prefix)));
        if (!withdrawn) {
            throw ControlException.unknownPrefix(prefix);
        }
        return new CommandResult(true, "withdrew " + prefix);
    }

    /** Serves {@code gannet drain} from the L4LB (null: not running). */
    SpeakerControl withL4lb(L4lbPart part) {
        this.l4lb = part;
        return this;
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
}
