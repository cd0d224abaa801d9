package io.gannet.topology.diff;

import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.IpAddresses;
import java.util.Map;

/** Text form of a {@link ProfileDiff}, one block per host, for {@code gannet profile diff}. */
public final class DiffPrinter {
    private DiffPrinter() {}

    public static String print(ProfileDiff d) {
        if (d.isEmpty()) {
            return "no changes\n";
        }
        StringBuilder b = new StringBuilder();
        for (NodeConfig n : d.addedHosts()) {
            b.append("host ").append(n.name()).append(": added\n");
            n.neighbors().forEach(s -> b.append("  + session ").append(session(s)).append('\n'));
            n.announcements().forEach(p -> b.append("  + announce ").append(p).append('\n'));
        }
        for (NodeConfig n : d.removedHosts()) {
            b.append("host ").append(n.name()).append(": removed\n");
            n.neighbors().forEach(s -> b.append("  - session ").append(session(s)).append('\n'));
            n.announcements().forEach(p -> b.append("  - announce ").append(p).append('\n'));
        }
        for (Map.Entry<String, NodeConfigDiff> e : d.changedHosts().entrySet()) {
            NodeConfigDiff c = e.getValue();
            b.append("host ").append(e.getKey()).append(": changed").append(c.speakerRestart() ? " (speaker restart: every session resets)" : "").append('\n');
            c.speakerChanges().forEach(s -> b.append("  ~ ").append(s).append('\n'));
            c.added().forEach(s -> b.append("  + session ").append(session(s)).append('\n'));
            c.removed().forEach(s -> b.append("  - session ").append(session(s)).append('\n'));
            c.changed().forEach(s -> b.append("  ~ session ").append(s.name()).append(": ").append(String.join(", ", s.fields()))
                    .append(s.sessionReset() ? " (session reset)" : " (applied live)").append('\n'));
            c.announce().forEach(p -> b.append("  + announce ").append(p).append('\n'));
            c.withdraw().forEach(p -> b.append("  - announce ").append(p).append('\n'));
            c.reannounce().forEach(p -> b.append("  ~ announce ").append(p).append(": communities changed\n"));
            if (c.policyChanged()) {
                b.append("  ~ import/export policy changed (route refresh, no reset)\n");
            }
            if (c.maxPathsChanged()) {
                b.append("  ~ maxPaths changed\n");
            }
        }
        return b.toString();
    }

    private static String session(NeighborConfig n) {
        return n.name() + " (" + (n.address() == null ? n.where() : IpAddresses.format(n.address())) + " AS" + n.remoteAs() + ")";
    }
}
