package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 3/4's reload: a running daemon peered with real FRR leaf switches takes a changed
 * profile, through {@code gannet reload} and, separately, through SIGHUP, and touches only
 * the sessions and announcements the change touches: a switch added, a switch removed (Cease /
 * Peer De-configured), PodCIDR communities, import and export policy, a broken profile, a
 * policy the speaker cannot express, a new AS and a new ECMP width (both "restart required").
 * Each step checks both ends: the daemon's {@code show peers} (state, since, flaps) and the
 * switch's own view (FRR's established and dropped connection counters, last NOTIFICATION, the
 * route's communities and MED).
 */
class DaemonReloadTest extends DaemonAgainstFrr {
    private static final String NODE = "10.202.0.1";
    private static final String POD_CIDR = "10.244.31.0/24";
    private static final long NODE_AS = 4200000001L;
    private static final Map<String, String> ADDRESS = Map.of("leaf1", "10.202.0.2", "leaf2", "10.202.0.3", "leaf3", "10.202.0.4");
    private static final Map<String, Long> AS = Map.of("leaf1", 4200100001L, "leaf2", 4200100002L, "leaf3", 4200100003L);

    /** How a changed profile reaches the daemon. */
    enum Trigger { GANNET_RELOAD, SIGHUP }

    private Path profile;

    /** An ebgp-leaf profile: node1 peers with every listed (rack-less) leaf. */
    private static String profile(List<String> leaves, String communities, long base, String extraBgpLine) {
        return profile(leaves, communities, base, extraBgpLine, "");
    }

    /** As above, with {@code extraSpec} (indented lines under {@code spec}) before the inventory. */
    private static String profile(List<String> leaves, String communities, long base, String extraBgpLine, String extraSpec) {
        StringBuilder switches = new StringBuilder();
        for (String leaf : leaves) {
            switches.append("      - {name: ").append(leaf).append(", addresses: [").append(ADDRESS.get(leaf))
                    .append("], asn: ").append(AS.get(leaf)).append("}\n");
        }
        return """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: reload}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: %d}
                  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
                  bgp:
                    holdTime: 60
                    connectRetry: 1
                %s  bfd: {enabled: false}
                  communities: {podCIDR: [%s]}
                %s  inventory:
                    switches:
                %s    hosts:
                      - {name: node1, address: %s, podCIDR: %s}
                """.formatted(base, extraBgpLine, communities, extraSpec, switches, NODE, POD_CIDR);
    }

    @ParameterizedTest
    @EnumSource(Trigger.class)
    void reloadTouchesOnlyWhatTheProfileChangeTouches(Trigger trigger) throws Exception {
        profile = dir.resolve("profile.yaml");
        String v1 = profile(List.of("leaf1", "leaf2"), "\"65000:1\"", NODE_AS, "");
        String v2 = profile(List.of("leaf1", "leaf2", "leaf3"), "\"65000:1\"", NODE_AS, "");
        Files.writeString(profile, v2);
        fabric = new Fabric("drr", dir, NODE + "/24");
        // Each switch runs the rendered configuration of the profile that has it; leaf3 waits,
        // refused by the node, until a reload adds it.
        for (String leaf : List.of("leaf1", "leaf2", "leaf3")) {
            fabric.addSwitch(leaf, ADDRESS.get(leaf) + "/24", GannetProcess.render(profile, leaf),
                    Fabric.TEST_NETS.get(fabric.switchCount()));
        }
        Files.writeString(profile, v1);
        gannet = GannetProcess.start(fabric.node(), dir, profile, "node1");
        for (String leaf : List.of("leaf1", "leaf2")) {
            // Routes exchanged both ways: the session that survived any start-up collision.
            gannet.awaitTrue(leaf + " Established with the PodCIDR", () -> gannet.established(leaf)
                    && fabric.frr(leaf).routesFrom(NODE).containsKey(POD_CIDR)
                    && gannet.peer(leaf).path("prefixesReceived").asLong() == 1, fabric::diagnostics);
        }
        assertThat(gannet.peers()).containsOnlyKeys("leaf1", "leaf2");
        Sessions before = Sessions.of(gannet, fabric, "leaf1", "leaf2");

        // (a) A third switch: a new session; the two running ones are not reset.
        Files.writeString(profile, profile(List.of("leaf1", "leaf2", "leaf3"), "\"65000:1\"", NODE_AS, ""));
        assertThat(apply(trigger)).contains("applied").contains("added leaf3");
        gannet.awaitTrue("leaf3 Established with the PodCIDR", () -> gannet.established("leaf3")
                && fabric.frr("leaf3").routesFrom(NODE).containsKey(POD_CIDR), fabric::diagnostics);
        before.assertUntouched(gannet, fabric);
        assertThat(fabric.frr("leaf3").communities(POD_CIDR)).containsExactly("65000:1");
        // The new session's log lines name its neighbor from the first one on.
        assertThat(gannet.log().lines().filter(l -> l.contains("event=bgp_peer_state peer=leaf3 ")))
                .isNotEmpty().allMatch(l -> l.contains("neighbor=" + ADDRESS.get("leaf3") + " "));

        // (b) A switch removed: it gets Cease / Peer De-configured (RFC 4486 subcode 3); the others are untouched.
        Files.writeString(profile, profile(List.of("leaf1", "leaf3"), "\"65000:1\"", NODE_AS, ""));
        assertThat(apply(trigger)).contains("applied").contains("removed leaf2");
        FrrSwitch leaf2 = fabric.frr("leaf2");
        gannet.awaitTrue("leaf2 told Cease / Peer De-configured", () -> "0603".equals(leaf2.neighbor(NODE).path("lastErrorCodeSubcode").asText()),
                fabric::diagnostics);
        assertThat(leaf2.neighbor(NODE).path("lastNotificationReason").asText()).isEqualTo("Cease/Peer De-configured");
        assertThat(leaf2.neighbor(NODE).path("bgpState").asText()).isNotEqualTo("Established");
        gannet.awaitTrue("leaf2 withdrew the PodCIDR", () -> !leaf2.routesFrom(NODE).containsKey(POD_CIDR), fabric::diagnostics);
        assertThat(gannet.peers()).containsOnlyKeys("leaf1", "leaf3");
        Sessions kept = Sessions.of(gannet, fabric, "leaf1", "leaf3");
        before.only("leaf1").assertUntouched(gannet, fabric);

        // (c) Only the PodCIDR's communities change: re-announced with the new ones, no session reset.
        String v4 = profile(List.of("leaf1", "leaf3"), "\"65000:2\", \"65000:77\"", NODE_AS, "");
        Files.writeString(profile, v4);
        assertThat(apply(trigger)).contains("announcements").contains("applied");
        for (String leaf : List.of("leaf1", "leaf3")) {
            gannet.awaitTrue(leaf + " sees the new communities",
                    () -> fabric.frr(leaf).communities(POD_CIDR).equals(List.of("65000:2", "65000:77")), fabric::diagnostics);
        }
        kept.assertUntouched(gannet, fabric);

        // (g) Import and export policy change: applied to the live sessions (export re-sent, import
        // re-run), not by resetting them. leaf1 announces 192.0.2.0/24 (Fabric.TEST_NETS[0]).
        Files.writeString(profile, profile(List.of("leaf1", "leaf3"), "\"65000:2\", \"65000:77\"", NODE_AS, "", """
                  policies:
                    node:
                      import:
                        - {name: take-testnet1, match: {prefixes: [{prefix: 192.0.2.0/24}]}, action: accept}
                      export:
                        - {name: pod-med, match: {prefixes: [{prefix: %s}]}, set: {med: 10}, action: next}
                """.formatted(POD_CIDR)));
        assertThat(apply(trigger)).contains("neighbors").contains("applied").contains("policy changed");
        gannet.awaitTrue("leaf1's route accepted by the new import policy", () -> gannet.peer("leaf1").path("prefixesAccepted").asLong() == 1,
                fabric::diagnostics);
        for (String leaf : List.of("leaf1", "leaf3")) {
            gannet.awaitTrue(leaf + " sees MED 10", () -> fabric.frr(leaf).bestPath(POD_CIDR).path("metric").asLong(-1) == 10, fabric::diagnostics);
        }
        assertThat(gannet.peer("leaf3").path("prefixesAccepted").asLong()).isZero();
        kept.assertUntouched(gannet, fabric);

        // (d) A broken profile: the error with its file:line, and nothing changes.
        String broken = profile(List.of("leaf1"), "\"65000:3\"", NODE_AS, "    holdTyme: 30\n");
        int badLine = lineOf(broken, "holdTyme");
        Files.writeString(profile, broken);
        String refused = switch (trigger) {
            case GANNET_RELOAD -> {
                GannetProcess.CliResult r = gannet.cliResult("reload");
                assertThat(r.exit()).as(r.out() + r.err()).isNotZero();
                yield r.err();
            }
            case SIGHUP -> hangupAndAwaitLogLine();
        };
        assertThat(refused).contains(profile + ":" + badLine + ":").contains("holdTyme");
        assertThat(gannet.peers()).containsOnlyKeys("leaf1", "leaf3");
        assertThat(fabric.frr("leaf3").communities(POD_CIDR)).containsExactly("65000:2", "65000:77");
        kept.assertUntouched(gannet, fabric);

        // (d') A profile the checker accepts but whose policy the speaker cannot express: refused, nothing changes.
        String untranslatable = profile(List.of("leaf1"), "\"65000:3\"", NODE_AS, "", """
                  policies:
                    node:
                      import:
                        - {name: mixed, match: {communities: ["65000:1", "4200000000:1:1"]}, action: accept}
                """);
        Files.writeString(profile, untranslatable);
        String notApplied = switch (trigger) {
            case GANNET_RELOAD -> {
                GannetProcess.CliResult r = gannet.cliResult("reload");
                assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
                yield r.err();
            }
            case SIGHUP -> hangupAndAwaitLogLine();
        };
        assertThat(notApplied).contains("profile not applied").contains("standard or large communities");
        assertThat(gannet.peers()).containsOnlyKeys("leaf1", "leaf3");
        assertThat(fabric.frr("leaf3").communities(POD_CIDR)).containsExactly("65000:2", "65000:77");
        kept.assertUntouched(gannet, fabric);

        // (e) The host's AS changes: "restart required", not applied.
        Files.writeString(profile, profile(List.of("leaf1", "leaf3"), "\"65000:2\", \"65000:77\"", NODE_AS + 50, ""));
        assertThat(applyNeedingRestart(trigger)).contains("restart required").contains("localAs");
        Thread.sleep(1500);
        for (String leaf : List.of("leaf1", "leaf3")) {
            assertThat(gannet.peer(leaf).path("localAs").asLong()).isEqualTo(NODE_AS);
            assertThat(fabric.frr(leaf).routesFrom(NODE).get(POD_CIDR).path("path").asText()).isEqualTo(Long.toString(NODE_AS));
        }
        kept.assertUntouched(gannet, fabric);

        // (f) A wider ECMP set: the RIB sets it at start, so "restart required", and nothing is reset.
        Files.writeString(profile, profile(List.of("leaf1", "leaf3"), "\"65000:2\", \"65000:77\"", NODE_AS, "    maxPaths: 4\n"));
        assertThat(applyNeedingRestart(trigger)).contains("maximum paths").contains("restart required").contains("-> 4");
        kept.assertUntouched(gannet, fabric);

        // Over the whole run leaf1's session never dropped, on either end (measured from the first
        // snapshot: the start itself may see a connection collision resolved either way).
        before.only("leaf1").assertUntouched(gannet, fabric);
    }

    /** Applies the profile on disk; returns what the daemon answered (the CLI's table, or its log line). */
    private String apply(Trigger trigger) throws Exception {
        return switch (trigger) {
            case GANNET_RELOAD -> {
                GannetProcess.CliResult r = gannet.cliResult("reload");
                assertThat(r.exit()).as(r.err()).isZero();
                yield r.out();
            }
            case SIGHUP -> hangupAndAwaitLogLine();
        };
    }

    /** As {@link #apply}, for a change with a part that needs a restart: {@code gannet reload} exits 6. */
    private String applyNeedingRestart(Trigger trigger) throws Exception {
        return switch (trigger) {
            case GANNET_RELOAD -> {
                GannetProcess.CliResult r = gannet.cliResult("reload");
                assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(io.gannet.agent.cli.ReloadCommand.RESTART_REQUIRED);
                yield r.out();
            }
            case SIGHUP -> hangupAndAwaitLogLine();
        };
    }

    /** Sends SIGHUP and waits for the daemon's log line about that reload. */
    private String hangupAndAwaitLogLine() throws Exception {
        int seen = reloadLines().size();
        gannet.hangup();
        gannet.awaitTrue("the SIGHUP reload's log line", () -> reloadLines().size() > seen, fabric::diagnostics);
        return reloadLines().get(seen);
    }

    private List<String> reloadLines() {
        return gannet.log().lines().filter(l -> l.contains("action=reload")).toList();
    }

    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(needle);
    }

    /**
     * Both ends' record of a set of sessions at one moment: the daemon's since/flaps and the
     * switch's count of established and dropped connections. A reset changes all of them.
     */
    private record Sessions(Map<String, Long> since, Map<String, Long> flaps, Map<String, Integer> switchEstablished,
            Map<String, Integer> switchDropped) {

        static Sessions of(GannetProcess gannet, Fabric fabric, String... leaves) {
            Map<String, Long> since = new HashMap<>();
            Map<String, Long> flaps = new HashMap<>();
            Map<String, Integer> established = new HashMap<>();
            Map<String, Integer> dropped = new HashMap<>();
            for (String leaf : leaves) {
                JsonNode p = gannet.peer(leaf);
                assertThat(p.path("state").asText()).as(leaf).isEqualTo("Established");
                since.put(leaf, p.path("sinceEpochMillis").asLong());
                flaps.put(leaf, p.path("flaps").asLong());
                JsonNode n = fabric.frr(leaf).neighbor(NODE);
                assertThat(n.path("bgpState").asText()).as(leaf + " at the switch").isEqualTo("Established");
                established.put(leaf, n.path("connectionsEstablished").asInt());
                dropped.put(leaf, n.path("connectionsDropped").asInt());
            }
            return new Sessions(since, flaps, established, dropped);
        }

        Sessions only(String leaf) {
            return new Sessions(Map.of(leaf, since.get(leaf)), Map.of(leaf, flaps.get(leaf)),
                    Map.of(leaf, switchEstablished.get(leaf)), Map.of(leaf, switchDropped.get(leaf)));
        }

        void assertUntouched(GannetProcess gannet, Fabric fabric) {
            Sessions now = of(gannet, fabric, since.keySet().toArray(String[]::new));
            assertThat(now).as("sessions not reset").isEqualTo(this);
        }
    }
}
