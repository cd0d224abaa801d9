package io.gannet.topology.diff;

import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.Cidr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a running daemon must do to go from one {@link NodeConfig} of a host to another:
 * which sessions to add, remove or change (and whether a change needs a session reset),
 * which prefixes to announce or withdraw, and whether the speaker itself must restart.
 * Sessions not named here are untouched by the change and must keep running.
 *
 * @param speakerRestart   router id, local AS or listen address/port changed: every session restarts
 * @param speakerChanges   human-readable "field: old -> new" lines of the speaker-level changes
 * @param added            neighbors to configure and start
 * @param removed          neighbors to stop (Cease / Peer De-configured, RFC 4486 subcode 3)
 * @param changed          neighbors whose settings differ
 * @param announce         prefixes to originate
 * @param withdraw         prefixes to withdraw
 * @param reannounce       prefixes still originated but with other communities
 * @param policyChanged    import or export policy differs: re-run policies (route refresh), no reset
 * @param maxPathsChanged  ECMP width differs: recompute multipath, no reset
 */
public record NodeConfigDiff(boolean speakerRestart, List<String> speakerChanges, List<NeighborConfig> added,
        List<NeighborConfig> removed, List<NeighborChange> changed, List<Cidr> announce, List<Cidr> withdraw,
        List<Cidr> reannounce, boolean policyChanged, boolean maxPathsChanged) {

    public NodeConfigDiff {
        speakerChanges = List.copyOf(speakerChanges);
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        announce = List.copyOf(announce);
        withdraw = List.copyOf(withdraw);
        reannounce = List.copyOf(reannounce);
    }

    public boolean isEmpty() {
        return !speakerRestart && speakerChanges.isEmpty() && added.isEmpty() && removed.isEmpty() && changed.isEmpty()
                && announce.isEmpty() && withdraw.isEmpty() && reannounce.isEmpty() && !policyChanged && !maxPathsChanged;
    }

    /** Names of neighbors whose sessions must be reset (including all when the speaker restarts). */
    public List<String> sessionsToReset(NodeConfig after) {
        if (speakerRestart) {
            return after.neighbors().stream().map(NeighborConfig::name).toList();
        }
        return changed.stream().filter(NeighborChange::sessionReset).map(NeighborChange::name).toList();
    }

    /** Computes the difference; both configs must be of the same host. */
    public static NodeConfigDiff between(NodeConfig before, NodeConfig after) {
        List<String> speaker = new ArrayList<>();
        compare(speaker, "routerId", before.routerId(), after.routerId());
        compare(speaker, "localAs", before.localAs(), after.localAs());
        compare(speaker, "listenAddress", before.addresses(), after.addresses());
        compare(speaker, "listenPort", before.listenPort(), after.listenPort());
        boolean restart = !speaker.isEmpty();
        compare(speaker, "role", before.role(), after.role());

        Map<String, NeighborConfig> old = new LinkedHashMap<>();
        before.neighbors().forEach(n -> old.put(n.name(), n));
        List<NeighborConfig> added = new ArrayList<>();
        List<NeighborChange> changed = new ArrayList<>();
        for (NeighborConfig n : after.neighbors()) {
            NeighborConfig o = old.remove(n.name());
            if (o == null) {
                added.add(n);
            } else {
                NeighborChange c = neighborChange(o, n);
                if (c != null) {
                    changed.add(c);
                }
            }
        }
        List<NeighborConfig> removed = new ArrayList<>(old.values());

        List<Cidr> announce = new ArrayList<>(after.announcements());
        announce.removeAll(before.announcements());
        List<Cidr> withdraw = new ArrayList<>(before.announcements());
        withdraw.removeAll(after.announcements());
        List<Cidr> reannounce = new ArrayList<>();
        if (!before.podCidrCommunities().equals(after.podCidrCommunities())) {
            after.podCidrs().stream().filter(before.podCidrs()::contains).forEach(reannounce::add);
        }
        if (!before.vipCommunities().equals(after.vipCommunities())) {
            after.vips().stream().filter(before.vips()::contains).forEach(reannounce::add);
        }
        boolean policy = !before.importPolicy().equals(after.importPolicy()) || !before.exportPolicy().equals(after.exportPolicy());
        return new NodeConfigDiff(restart, speaker, added, removed, changed, announce, withdraw, reannounce, policy,
                before.maxPaths() != after.maxPaths());
    }

    private static NeighborChange neighborChange(NeighborConfig o, NeighborConfig n) {
        List<String> fields = new ArrayList<>();
        boolean reset = false;
        // Negotiated in OPEN or bound to the TCP connection: only a new session applies them.
        reset |= diff(fields, "address", o.address(), n.address());
        reset |= diff(fields, "interface", o.interfaceName(), n.interfaceName());
        reset |= diff(fields, "port", o.port(), n.port());
        reset |= diff(fields, "remoteAs", o.remoteAs(), n.remoteAs());
        reset |= diff(fields, "localAs", o.localAs(), n.localAs());
        reset |= diff(fields, "localAddress", o.localAddress(), n.localAddress());
        reset |= diff(fields, "holdTime", o.holdTimeSeconds(), n.holdTimeSeconds());
        reset |= diff(fields, "md5", md5Key(o), md5Key(n));
        reset |= diff(fields, "gracefulRestart", o.gracefulRestart(), n.gracefulRestart());
        reset |= diff(fields, "gracefulRestartSeconds", o.gracefulRestartSeconds(), n.gracefulRestartSeconds());
        reset |= diff(fields, "families", o.families(), n.families());
        reset |= diff(fields, "extendedMessage", o.extendedMessage(), n.extendedMessage());
        diff(fields, "routeReflectorClient", o.routeReflectorClient(), n.routeReflectorClient());
        diff(fields, "delayOpen", o.delayOpenSeconds(), n.delayOpenSeconds()); // from the next connection on
        // Applied to the running session (timers, socket options, BFD, limits).
        diff(fields, "keepalive", o.keepaliveSeconds(), n.keepaliveSeconds());
        diff(fields, "connectRetry", o.connectRetrySeconds(), n.connectRetrySeconds());
        diff(fields, "passive", o.passive(), n.passive());
        diff(fields, "ttlSecurityHops", o.ttlSecurityHops(), n.ttlSecurityHops());
        diff(fields, "multihopTtl", o.multihopTtl(), n.multihopTtl());
        diff(fields, "bfd", o.bfd(), n.bfd());
        diff(fields, "maxPrefixes", o.maxPrefixes(), n.maxPrefixes());
        diff(fields, "maxPrefixAction", o.maxPrefixAction(), n.maxPrefixAction());
        diff(fields, "keepReceived", o.keepReceived(), n.keepReceived()); // dropped now, or filled by a ROUTE-REFRESH
        return fields.isEmpty() ? null : new NeighborChange(n.name(), o, n, fields, reset);
    }

    /** Md5Secret equality covers reference and value, so a rotated key behind the same reference is a change too. */
    private static Object md5Key(NeighborConfig n) {
        return n.md5();
    }

    private static boolean diff(List<String> fields, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            fields.add(name);
            return true;
        }
        return false;
    }

    private static void compare(List<String> out, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(name + ": " + text(a) + " -> " + text(b));
        }
    }

    private static String text(Object o) {
        if (o instanceof List<?> l) {
            return String.join(", ", l.stream().map(NodeConfigDiff::text).toList());
        }
        return o instanceof java.net.InetAddress a ? io.gannet.topology.net.IpAddresses.format(a) : String.valueOf(o);
    }
}
