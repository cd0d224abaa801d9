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

    private final PodNetwork pods;

    SpeakerControl(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Supplier<ReloadResult> reload, PodNetwork pods) {
        this.pods = pods;
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
