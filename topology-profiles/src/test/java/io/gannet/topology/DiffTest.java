package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.diff.DiffPrinter;
import io.gannet.topology.diff.NeighborChange;
import io.gannet.topology.diff.NodeConfigDiff;
import io.gannet.topology.diff.ProfileDiff;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reload diff: only what changed is touched, and each change says whether it needs a new session. */
class DiffTest {
    static final SecretResolver REFS = SecretResolver.referencesOnly();

    static String example() throws Exception {
        return Files.readString(Fixtures.example("ebgp-leaf.yaml"));
    }

    static LoadedProfile parse(String text) {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        return p;
    }

    @Test
    void identicalProfilesHaveNoDifference() throws Exception {
        LoadedProfile a = parse(example());
        assertThat(parse(example()).diffFrom(a).isEmpty()).isTrue();
        assertThat(DiffPrinter.print(parse(example()).diffFrom(a))).isEqualTo("no changes\n");
    }

    @Test
    void holdTimeChangeResetsOnlyThatHostsSessions() throws Exception {
        LoadedProfile before = parse(example());
        LoadedProfile after = parse(example().replace("      bfd: {multiplier: 5}", "      bfd: {multiplier: 5}\n      bgp: {holdTime: 30}"));
        ProfileDiff d = after.diffFrom(before);
        assertThat(d.changedHosts()).containsOnlyKeys("r2-node2");
        NodeConfigDiff n = d.changedHosts().get("r2-node2");
        assertThat(n.changed()).extracting(NeighborChange::name).containsExactly("leaf-r2-a", "leaf-r2-b");
        assertThat(n.changed()).allSatisfy(c -> {
            assertThat(c.fields()).contains("holdTime", "keepalive");
            assertThat(c.sessionReset()).isTrue();
        });
        assertThat(n.sessionsToReset(after.nodeConfig("r2-node2", REFS))).containsExactly("leaf-r2-a", "leaf-r2-b");
        assertThat(n.announce()).isEmpty();
        assertThat(n.withdraw()).isEmpty();
        assertThat(DiffPrinter.print(d)).contains("host r2-node2: changed").contains("~ session leaf-r2-a: holdTime, keepalive (session reset)");
    }

    @Test
    void bfdAndMaxPrefixChangesApplyLive() throws Exception {
        NodeConfig a = parse(example()).nodeConfig("r1-node1", REFS);
        NodeConfig b = parse(example().replace("multiplier: 3", "multiplier: 4").replace("limit: 10", "limit: 20")).nodeConfig("r1-node1", REFS);
        NodeConfigDiff d = NodeConfigDiff.between(a, b);
        assertThat(d.changed()).allSatisfy(c -> {
            assertThat(c.fields()).containsExactlyInAnyOrder("bfd", "maxPrefixes");
            assertThat(c.sessionReset()).isFalse();
        });
        assertThat(d.sessionsToReset(b)).isEmpty();
        assertThat(d.speakerRestart()).isFalse();
    }

    @Test
    void addedSwitchRemovedHostAndMovedPodCidrAreReported() throws Exception {
        LoadedProfile before = parse(example());
        String text = example()
                .replace("      - {name: leaf-r2-b, rack: r2, addresses: [10.10.2.2], asn: 4200100004}",
                        "      - {name: leaf-r2-b, rack: r2, addresses: [10.10.2.2], asn: 4200100004}\n"
                                + "      - {name: leaf-r2-c, rack: r2, addresses: [10.10.2.3], asn: 4200100007}")
                .replace("      - {name: r1-node2, address: 10.10.1.12, rack: r1}\n", "")
                .replace("podCIDR: 10.32.100.0/25", "podCIDR: 10.32.101.0/25");
        LoadedProfile after = parse(text);
        ProfileDiff d = after.diffFrom(before);
        assertThat(d.removedHosts()).extracting(NodeConfig::name).containsExactly("r1-node2");
        NodeConfigDiff r2n1 = d.changedHosts().get("r2-node1");
        assertThat(r2n1.added()).extracting(NeighborConfig::name).containsExactly("leaf-r2-c");
        assertThat(r2n1.announce()).containsExactly(Cidr.of("10.32.101.0/25"));
        assertThat(r2n1.withdraw()).containsExactly(Cidr.of("10.32.100.0/25"));
        assertThat(r2n1.changed()).isEmpty();
        // r2-node2 gains the new leaf too; r1-node1 and the rack-3 hosts are untouched.
        assertThat(d.changedHosts()).containsOnlyKeys("r2-node1", "r2-node2");
        assertThat(DiffPrinter.print(d)).contains("host r1-node2: removed").contains("+ session leaf-r2-c (10.10.2.3 AS4200100007)")
                .contains("+ announce 10.32.101.0/25").contains("- announce 10.32.100.0/25");
    }

    @Test
    void communityChangeReannouncesWithoutTouchingSessions() throws Exception {
        NodeConfig a = parse(example()).nodeConfig("r1-node1", REFS);
        NodeConfig b = parse(example().replace("podCIDR: [\"65000:1\"]", "podCIDR: [\"65000:7\"]")).nodeConfig("r1-node1", REFS);
        NodeConfigDiff d = NodeConfigDiff.between(a, b);
        assertThat(d.reannounce()).containsExactly(a.podCidr());
        assertThat(d.changed()).isEmpty();
        assertThat(d.added()).isEmpty();
    }

    @Test
    void rotatedKeyBehindTheSameReferenceIsASessionChange() throws Exception {
        String text = ProfileText.leaf("per-node", 1, "  bgp: {md5: {env: TP_KEY}}\n");
        LoadedProfile p = parse(text);
        NodeConfig a = p.nodeConfig("n1", SecretResolver.fromMap(Map.of("TP_KEY", "old")));
        NodeConfig b = p.nodeConfig("n1", SecretResolver.fromMap(Map.of("TP_KEY", "new")));
        NodeConfigDiff d = NodeConfigDiff.between(a, b);
        assertThat(d.changed()).allSatisfy(c -> {
            assertThat(c.fields()).containsExactly("md5");
            assertThat(c.sessionReset()).isTrue();
        });
    }

    @Test
    void localAsChangeRestartsTheSpeaker() throws Exception {
        NodeConfig a = parse(example()).nodeConfig("r3-lb1", REFS);
        NodeConfig b = parse(example().replace("r3: 4200000100", "r3: 4200000101")).nodeConfig("r3-lb1", REFS);
        NodeConfigDiff d = NodeConfigDiff.between(a, b);
        assertThat(d.speakerRestart()).isTrue();
        assertThat(d.speakerChanges()).containsExactly("localAs: 4200000100 -> 4200000101");
        assertThat(d.sessionsToReset(b)).containsExactly("leaf-r3-a", "leaf-r3-b");
    }
}
