package io.gannet.agent.run;

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

    private Map<String, String> sources() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode r : JSON.readTree(gannet.cli("show", "routes", "--json")).path("routes")) {
            out.put(r.path("prefix").asText(), r.path("source").asText());
        }
        return out;
    }
}
