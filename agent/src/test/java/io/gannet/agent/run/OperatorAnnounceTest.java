package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, "announce/withdraw must not silently replace or remove what the profile
 * originates", through {@code gannet run}, the CLI and a real FRR leaf: the profile's PodCIDR
 * is refused without {@code --force}; unusable next hops are refused; an announcement reports
 * the peers it went to; {@code show routes} tells profile routes from operator routes; and only
 * a {@code --persist} announcement is announced again after the daemon restarts.
 */
class OperatorAnnounceTest extends DaemonAgainstFrr {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "10.203.0.1";
    private static final String POD_CIDR = "10.244.41.0/24";
    private static final String RUNTIME = "10.244.200.0/24";
    private static final String PERSISTED = "10.244.201.0/24";
    /** Outside the profile's export policy: nobody gets it. */
    private static final String UNEXPORTED = "10.244.202.0/24";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: operator-routes}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              communities: {podCIDR: ["65000:1"]}
              policies:
                node:
                  export:
                    - {name: operator-pool, match: {prefixes: [{prefix: 10.244.200.0/23, ge: 24, le: 24}]}, action: accept}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.203.0.2], asn: 4200100001}
                hosts:
                  - {name: node1, address: 10.203.0.1, podCIDR: 10.244.41.0/24}
            """;

    @Test
    void operatorRoutesAreCheckedCountedMarkedAndPersistedOnlyWhenAsked() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        fabric = new Fabric("dop", dir, NODE + "/24");
        fabric.addSwitch("leaf1", "10.203.0.2/24", GannetProcess.render(profile, "leaf1"), Fabric.TEST_NETS.get(0));
        FrrSwitch leaf = fabric.frr("leaf1");
        gannet = GannetProcess.start(fabric.node(), dir, profile, "node1");
        gannet.awaitTrue("leaf1 has the PodCIDR", () -> leaf.routesFrom(NODE).containsKey(POD_CIDR), fabric::diagnostics);

        // The profile's PodCIDR: neither replaced nor withdrawn without --force, and the leaf keeps it as it was.
        GannetProcess.CliResult replace = gannet.cliResult("announce", POD_CIDR, "--community", "65000:99");
        assertThat(replace.exit()).isEqualTo(4);
        assertThat(replace.err()).contains(POD_CIDR + " is originated by the profile (profile.yaml, host node1)")
                .contains("--force");
        GannetProcess.CliResult remove = gannet.cliResult("withdraw", POD_CIDR);
        assertThat(remove.exit()).isEqualTo(4);
        assertThat(remove.err()).contains("is originated by the profile").contains("--force");
        assertThat(leaf.routesFrom(NODE)).containsKey(POD_CIDR);
        assertThat(leaf.communities(POD_CIDR)).containsExactly("65000:1");

        // Next hops peers could not forward to are refused, with the reason.
        for (String[] bad : new String[][] {{"0.0.0.0", "is the unspecified address"}, {"224.0.0.5", "is a multicast address"},
                {"127.0.0.1", "is a loopback address"}, {"255.255.255.255", "is the limited broadcast address"}}) {
            GannetProcess.CliResult r = gannet.cliResult("announce", RUNTIME, "--next-hop", bad[0]);
            assertThat(r.exit()).as(bad[0]).isEqualTo(4);
            assertThat(r.err()).contains("next hop " + bad[0] + " " + bad[1]);
        }

        // A runtime route and a persisted one: each reports the peer it went to.
        GannetProcess.CliResult runtime = gannet.cliResult("announce", RUNTIME);
        assertThat(runtime.exit()).as(runtime.err()).isZero();
        assertThat(runtime.out()).contains("announced " + RUNTIME + " to 1 peer (leaf1)");
        assertThat(runtime.err()).doesNotContain("warning");
        GannetProcess.CliResult persisted = gannet.cliResult("announce", PERSISTED, "--persist");
        assertThat(persisted.exit()).as(persisted.err()).isZero();
        assertThat(persisted.out()).contains("announced " + PERSISTED + " to 1 peer (leaf1)").contains("after a restart");
        GannetProcess.CliResult unexported = gannet.cliResult("announce", UNEXPORTED);
        assertThat(unexported.exit()).as(unexported.err()).isZero();
        assertThat(unexported.out()).contains("announced " + UNEXPORTED + " to 0 peers");
        assertThat(unexported.err()).contains("gannet: warning: no peer received " + UNEXPORTED
                + ": the export policy of every Established session refused it");
        gannet.awaitTrue("leaf1 has both operator routes",
                () -> leaf.routesFrom(NODE).keySet().containsAll(java.util.List.of(RUNTIME, PERSISTED)), fabric::diagnostics);

        assertThat(leaf.routesFrom(NODE)).doesNotContainKey(UNEXPORTED);
        assertThat(sources()).containsEntry(POD_CIDR, "profile").containsEntry(RUNTIME, "operator")
                .containsEntry(PERSISTED, "operator");
        String table = gannet.cli("show", "routes");
        assertThat(table.lines().filter(l -> l.contains(POD_CIDR))).singleElement().asString().contains("profile");
        assertThat(table.lines().filter(l -> l.contains(RUNTIME))).singleElement().asString().contains("operator");

        // Restart: the persisted route comes back, the runtime one does not.
        assertThat(gannet.terminate(Duration.ofSeconds(30))).isTrue();
        gannet = GannetProcess.start(fabric.node(), dir, profile, "node1");
        gannet.awaitTrue("leaf1 has the persisted route again after the restart",
                () -> gannet.established("leaf1") && leaf.routesFrom(NODE).containsKey(PERSISTED)
                        && leaf.routesFrom(NODE).containsKey(POD_CIDR), fabric::diagnostics);
        assertThat(leaf.routesFrom(NODE)).doesNotContainKey(RUNTIME);
        assertThat(sources()).containsEntry(PERSISTED, "operator").doesNotContainKey(RUNTIME);
        assertThat(gannet.log()).contains("announcing 1 route(s) stored with gannet announce --persist: [" + PERSISTED + "]");

        // Withdrawing it forgets it for good.
        assertThat(gannet.cliResult("withdraw", PERSISTED).exit()).isZero();
        assertThat(Files.readString(dir.resolve("state").resolve(OperatorRoutes.FILE))).isEqualTo("[]");
        gannet.awaitTrue("leaf1 lost the withdrawn route", () -> !leaf.routesFrom(NODE).containsKey(PERSISTED),
                fabric::diagnostics);
    }

    /**
     * The operator views of issue 9: {@code show peer NAME} (negotiated timers, router ids,
     * capabilities, counters), {@code show routes for ADDRESS} (longest match), {@code peer
     * refresh NAME in|out}, and the honest "not available" of {@code show vips}.
     */
    @Test
    void showPeerRoutesForAndPeerRefreshAnswerLikeBirdAndFrr() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.replace("      export:\n", "      import:\n"
                + "        - {name: take-testnet1, match: {prefixes: [{prefix: 192.0.2.0/24}]}, action: accept}\n"
                + "      export:\n"));
        assertThat(Files.readString(profile)).contains("take-testnet1");
        fabric = new Fabric("dov", dir, NODE + "/24");
        fabric.addSwitch("leaf1", "10.203.0.2/24", GannetProcess.render(profile, "leaf1"), Fabric.TEST_NETS.get(0));
        FrrSwitch leaf = fabric.frr("leaf1");
        gannet = GannetProcess.start(fabric.node(), dir, profile, "node1");
        gannet.awaitTrue("leaf1's 192.0.2.0/24 accepted", () -> gannet.peer("leaf1").path("prefixesAccepted").asLong() == 1,
                fabric::diagnostics);

        JsonNode detail = JSON.readTree(gannet.cli("show", "peer", "leaf1", "--json"));
        JsonNode frr = leaf.neighbor(NODE);
        assertThat(detail.path("state").asText()).isEqualTo("Established");
        assertThat(detail.path("uptimeSeconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(detail.path("holdTimeSeconds").asInt()).isEqualTo(frr.path("bgpTimerHoldTimeMsecs").asInt() / 1000);
        assertThat(detail.path("keepaliveSeconds").asInt()).isEqualTo(detail.path("holdTimeSeconds").asInt() / 3);
        assertThat(detail.path("remoteRouterId").asText()).isEqualTo(frr.path("localRouterId").asText());
        assertThat(detail.path("localRouterId").asText()).isEqualTo(frr.path("remoteRouterId").asText());
        assertThat(detail.path("remoteAs").asLong()).isEqualTo(4200100001L);
        assertThat(detail.path("capabilities").toString()).contains("4-octet AS numbers (RFC 6793)")
                .contains("route refresh (RFC 2918)");
        assertThat(detail.path("prefixesReceived").asLong()).isEqualTo(1);
        assertThat(detail.path("prefixesAdvertised").asLong()).isEqualTo(1);
        String text = gannet.cli("show", "peer", "leaf1");
        assertThat(text).contains("BGP peer leaf1, 10.203.0.2").contains("State:              Established since")
                .contains("keepalive every " + detail.path("keepaliveSeconds").asInt() + " s")
                .contains("1 received, 1 accepted, 1 advertised");
        GannetProcess.CliResult unknown = gannet.cliResult("show", "peer", "leaf9");
        assertThat(unknown.exit()).isEqualTo(4);
        assertThat(unknown.err()).contains("no peer named 'leaf9' (known: leaf1)");

        // Longest match: a /25 inside the PodCIDR wins for its half, the /24 answers for the other.
        assertThat(gannet.cliResult("announce", "10.244.41.128/25").exit()).isZero();
        assertThat(forAddress("10.244.41.200")).isEqualTo("10.244.41.128/25 operator");
        assertThat(forAddress("10.244.41.5")).isEqualTo(POD_CIDR + " profile");
        assertThat(forAddress("192.0.2.77")).isEqualTo("192.0.2.0/24 leaf1");
        GannetProcess.CliResult none = gannet.cliResult("show", "routes", "for", "8.8.8.8");
        assertThat(none.exit()).isEqualTo(4);
        assertThat(none.err()).contains("no route covers 8.8.8.8");
        assertThat(gannet.cli("show", "routes", "for", "192.0.2.77")).contains("192.0.2.0/24").contains("leaf1");
        assertThat(gannet.cli("show", "route", "192.0.2.0/24", "--detail")).contains("best chosen by: the only path");
        assertThat(gannet.cli("show", "routes")).contains("3 prefixes, 3 paths.");

        // --advertised: leaf1's Adj-RIB-Out holds only the PodCIDR, as sent (with its community): the
        // profile exports the PodCIDR (exact) and the operator pool, so the /25 stays home.
        GannetProcess.CliResult adv = gannet.cliResult("show", "routes", "--peer", "leaf1", "--advertised", "--json");
        assertThat(adv.exit()).as(adv.err()).isZero();
        JsonNode sent = JSON.readTree(adv.out()).path("routes");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).path("prefix").asText()).isEqualTo(POD_CIDR);
        assertThat(sent.get(0).path("communities").toString()).contains("65000:1");
        assertThat(sent.get(0).path("source").asText()).isEqualTo("advertised to leaf1");
        assertThat(leaf.routesFrom(NODE).keySet()).containsExactly(POD_CIDR);
        assertThat(gannet.cliResult("show", "routes", "--advertised").exit()).as("--advertised needs --peer").isEqualTo(2);

        // --received / --rejected: the leaf also sends 198.51.100.0/24, which the import policy
        // (take-testnet1, then the node's "learn nothing") refuses: kept pre-policy, shown as rejected.
        leaf.vtysh("configure terminal\nip prefix-list DR-BACK seq 6 permit " + Fabric.TEST_NETS.get(1)
                + "\nrouter bgp 4200100001\naddress-family ipv4 unicast\nnetwork " + Fabric.TEST_NETS.get(1));
        gannet.awaitTrue("the leaf's second route arrived and was refused", () -> {
            GannetProcess.CliResult r = gannet.cliResult("show", "routes", "--peer", "leaf1", "--rejected", "--json");
            return r.exit() == 0 && r.out().contains(Fabric.TEST_NETS.get(1));
        }, fabric::diagnostics);
        JsonNode rejected = JSON.readTree(gannet.cli("show", "routes", "--peer", "leaf1", "--rejected", "--json")).path("routes");
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).path("prefix").asText()).isEqualTo(Fabric.TEST_NETS.get(1));
        assertThat(rejected.get(0).path("source").asText()).isEqualTo("rejected from leaf1");
        assertThat(rejected.get(0).path("asPath").toString()).contains("4200100001");
        JsonNode received = JSON.readTree(gannet.cli("show", "routes", "--peer", "leaf1", "--received", "--json")).path("routes");
        assertThat(received.findValuesAsText("prefix")).containsExactly("192.0.2.0/24", Fabric.TEST_NETS.get(1));
        assertThat(gannet.cli("show", "routes", "--peer", "leaf1", "--rejected")).contains(Fabric.TEST_NETS.get(1))
                .doesNotContain("192.0.2.0/24");
        assertThat(gannet.cli("show", "routes")).as("a rejected route stays out of the RIB").doesNotContain(Fabric.TEST_NETS.get(1));
        GannetProcess.CliResult both = gannet.cliResult("show", "routes", "--peer", "leaf1", "--rejected", "--advertised");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("one view at a time");
        assertThat(gannet.cliResult("show", "routes", "--peer", "leaf9", "--rejected").err()).contains("no peer named 'leaf9'");

        // Route refresh in: we send ROUTE-REFRESH and FRR sends its route again; out: we send ours again.
        long refreshSent = detail.path("messagesOut").path("routeRefresh").asLong();
        long flapsBefore = detail.path("flaps").asLong();
        long updatesIn = detail.path("messagesIn").path("update").asLong();
        GannetProcess.CliResult in = gannet.cliResult("peer", "refresh", "leaf1", "in");
        assertThat(in.exit()).as(in.err()).isZero();
        assertThat(in.out()).contains("asked leaf1 to send its routes again (ROUTE-REFRESH)");
        gannet.awaitTrue("leaf1 resent its route", () -> {
            JsonNode d = peerDetail();
            return d.path("messagesOut").path("routeRefresh").asLong() == refreshSent + 1
                    && d.path("messagesIn").path("update").asLong() > updatesIn;
        }, fabric::diagnostics);
        long updatesOut = peerDetail().path("messagesOut").path("update").asLong();
        GannetProcess.CliResult out = gannet.cliResult("peer", "refresh", "leaf1", "out");
        assertThat(out.exit()).as(out.err()).isZero();
        assertThat(out.out()).contains("sent leaf1 our 1 prefix again (soft reset out)");
        gannet.awaitTrue("our route sent again", () -> peerDetail().path("messagesOut").path("update").asLong() > updatesOut,
                fabric::diagnostics);
        GannetProcess.CliResult sideways = gannet.cliResult("peer", "refresh", "leaf1", "sideways");
        assertThat(sideways.exit()).isEqualTo(4);
        assertThat(sideways.err()).contains("'direction' must be \"in\" or \"out\", got 'sideways'");
        assertThat(gannet.cliResult("peer", "refresh", "leaf1", "in").exit()).as("still Established").isZero();
        assertThat(gannet.peer("leaf1").path("flaps").asLong()).as("refresh never resets the session")
                .isEqualTo(flapsBefore);

        // keepReceived off (what role router defaults to; here by the profile): --received and --rejected
        // say why they cannot answer. On again, the leaf is asked to resend and they answer; no reset.
        Files.writeString(profile, Files.readString(profile).replace("connectRetry: 1}", "connectRetry: 1, keepReceived: false}"));
        GannetProcess.CliResult off = gannet.cliResult("reload");
        assertThat(off.exit()).as(off.err()).isZero();
        GannetProcess.CliResult notKept = gannet.cliResult("show", "routes", "--peer", "leaf1", "--rejected");
        assertThat(notKept.exit()).isEqualTo(5);
        assertThat(notKept.err()).contains("not kept for this session").contains("bgp.keepReceived: true");
        Files.writeString(profile, Files.readString(profile).replace("keepReceived: false", "keepReceived: true"));
        GannetProcess.CliResult on = gannet.cliResult("reload");
        assertThat(on.exit()).as(on.err()).isZero();
        gannet.awaitTrue("leaf1 resent its routes, kept again", () -> {
            GannetProcess.CliResult r = gannet.cliResult("show", "routes", "--peer", "leaf1", "--received", "--json");
            return r.exit() == 0 && r.out().contains(Fabric.TEST_NETS.get(1)) && r.out().contains("192.0.2.0/24");
        }, fabric::diagnostics);
        assertThat(gannet.cli("show", "routes", "--peer", "leaf1", "--rejected")).contains(Fabric.TEST_NETS.get(1));
        assertThat(gannet.peer("leaf1").path("flaps").asLong()).as("keepReceived changes never reset the session")
                .isEqualTo(flapsBefore);

        GannetProcess.CliResult vips = gannet.cliResult("show", "vips");
        assertThat(vips.exit()).isEqualTo(5);
        assertThat(vips.err()).contains("vips: the L4 load balancer is not running");

        // The last error, with its time: the switch resets the session once.
        leaf.vtysh("clear bgp " + NODE);
        gannet.awaitTrue("the reset recorded as the last error", () -> peerDetail().path("lastErrorEpochMillis").asLong() > 0,
                fabric::diagnostics);
        JsonNode afterReset = peerDetail();
        assertThat(afterReset.path("lastError").asText()).isNotBlank();
        assertThat(afterReset.path("lastErrorEpochMillis").asLong()).isBetween(System.currentTimeMillis() - 120_000, System.currentTimeMillis());
        assertThat(gannet.cli("show", "peer", "leaf1")).containsPattern("Last error: +.+ \\(at \\d{4}-\\d{2}-\\d{2}.* UTC\\)");
    }

    private JsonNode peerDetail() {
        try {
            return JSON.readTree(gannet.cli("show", "peer", "leaf1", "--json"));
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** {@code show routes for ADDRESS --json}: "PREFIX SOURCE-OR-PEER" of the one best entry. */
    private String forAddress(String address) throws Exception {
        GannetProcess.CliResult r = gannet.cliResult("show", "routes", "for", address, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode routes = JSON.readTree(r.out()).path("routes");
        assertThat(routes).hasSize(1);
        JsonNode e = routes.get(0);
        return e.path("prefix").asText() + " " + (e.path("source").asText().equals("peer") ? e.path("fromPeer").asText()
                : e.path("source").asText());
    }

    private Map<String, String> sources() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode r : JSON.readTree(gannet.cli("show", "routes", "--json")).path("routes")) {
            out.put(r.path("prefix").asText(), r.path("source").asText());
        }
        return out;
    }
}
