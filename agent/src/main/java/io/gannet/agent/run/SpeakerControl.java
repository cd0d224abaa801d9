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
    private final BfdBinding bfd;

    SpeakerControl(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Supplier<ReloadResult> reload) {
        this(speaker, loop, reload, null);
    }

    /** @param bfd told of operator disable/enable first, so maintenance is not a BFD flap (may be null) */
    SpeakerControl(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Supplier<ReloadResult> reload, BfdBinding bfd) {
        this.speaker = speaker;
        this.loop = loop;
        this.reload = reload;
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
