package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.Role;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import org.junit.jupiter.api.Test;

/** {@code role: router}: imports and re-exports, reflects to its iBGP neighbors; nodes keep their announce-only defaults. */
class RouterRoleTest {
    private static final String IBGP_CORE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: core}
            spec:
              model: ibgp-core
              asn: {scheme: single, base: 64512}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              policies:
                router:
                  import: [{name: no-default, match: {prefixes: [{prefix: 0.0.0.0/0}]}, action: reject}]
              inventory:
                switches:
                  - {name: core1, addresses: [10.0.0.1]}
                  - {name: core2, addresses: [10.0.0.2]}
                hosts:
                  - {name: rr1, address: 10.0.0.10, role: router}
                  - {name: n1, address: 10.0.0.11}
            """;

    @Test
    void aRouterAcceptsAndReExportsAndReflectsWhileANodeKeepsItsDefaults() throws Exception {
        LoadedProfile p = ResolutionTest.parse(IBGP_CORE);
        NodeConfig rr = ResolutionTest.node(p, "rr1");
        assertThat(rr.role()).isEqualTo(Role.ROUTER);
        assertThat(rr.podCidr()).isNull();
        assertThat(rr.importPolicy().statements()).extracting(PolicyStatement::name)
                .containsExactly("no-default", "router-accept", "default-reject"); // the user's statements first
        assertThat(rr.exportPolicy().statements()).extracting(PolicyStatement::name)
                .containsExactly("router-transit", "default-reject");
        assertThat(rr.neighbors()).allMatch(n -> n.routeReflectorClient()); // iBGP: its clients (RFC 4456)

        NodeConfig n1 = ResolutionTest.node(p, "n1");
        assertThat(n1.importPolicy().statements()).extracting(PolicyStatement::name).containsExactly("default-reject");
        assertThat(n1.exportPolicy().statements()).extracting(PolicyStatement::name).containsExactly("own-podcidr", "default-reject");
        assertThat(n1.neighbors()).noneMatch(n -> n.routeReflectorClient());

        String frr = p.renderSwitch("core1", SwitchFormat.FRR, SecretResolver.referencesOnly());
        assertThat(frr).contains("neighbor 10.0.0.10 route-map GANNET-ROUTER-IN in")
                .contains("neighbor 10.0.0.10 route-map GANNET-ROUTER-OUT out")
                .contains("neighbor 10.0.0.11 route-map GANNET-HOSTS-OUT out");
        String bird = p.renderSwitch("core1", SwitchFormat.BIRD, SecretResolver.referencesOnly());
        assertThat(bird).contains("export all;");
    }

    @Test
    void whatSwitchesSendIsKeptBeforeImportPolicyOnHostsNotOnRoutersUnlessTheProfileSays() throws Exception {
        LoadedProfile p = ResolutionTest.parse(IBGP_CORE);
        assertThat(ResolutionTest.node(p, "rr1").neighbors()).as("full tables: as FRR and BIRD, off")
                .noneMatch(n -> n.keepReceived());
        assertThat(ResolutionTest.node(p, "n1").neighbors()).allMatch(n -> n.keepReceived());

        String text = IBGP_CORE.replace("  policies:\n", "  bgp: {keepReceived: false}\n  overrides:\n"
                + "    rr1: {bgp: {keepReceived: true}}\n  policies:\n");
        LoadedProfile q = ResolutionTest.parse(text);
        assertThat(ResolutionTest.node(q, "rr1").neighbors()).allMatch(n -> n.keepReceived());
        assertThat(ResolutionTest.node(q, "n1").neighbors()).noneMatch(n -> n.keepReceived());
    }

    @Test
    void aRouterOriginatesNothing() {
        String text = IBGP_CORE.replace("{name: rr1, address: 10.0.0.10, role: router}",
                "{name: rr1, address: 10.0.0.10, role: router, podCIDR: 10.244.9.0/24, vips: [203.0.113.1]}");
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("has role router and cannot have a PodCIDR"))
                .anyMatch(m -> m.contains("has role router and announces no VIPs"));
    }
}
