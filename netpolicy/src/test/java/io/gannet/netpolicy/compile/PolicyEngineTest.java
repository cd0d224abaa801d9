package io.gannet.netpolicy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.netpolicy.identity.LocalIdentityAllocator;
import io.gannet.netpolicy.identity.ReservedIdentity;
import io.gannet.netpolicy.k8s.PolicyFiles;
import io.gannet.netpolicy.k8s.PolicyObject;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Endpoint;
import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy semantics through the engine, as the datapath's lookup sees them. */
class PolicyEngineTest {
    private static final int TCP = 6;
    private static final int UDP = 17;
    @TempDir
    Path dir;
    private final PolicyEngine engine = new PolicyEngine(new LocalIdentityAllocator());

    private static Endpoint pod(String id, String ns, Map<String, String> labels, String ip, boolean local) {
        return new Endpoint(id, Labels.ofPod(ns, labels, Map.of()), List.of(Cidr.parse(ip)),
                Map.of("redis", new Endpoint.NamedPort(6379, Protocol.TCP)), local);
    }

    private Policy policy(String yaml) throws IOException {
        Path f = Files.writeString(dir.resolve("p" + System.nanoTime() + ".yaml"), yaml);
        PolicyObject o = PolicyFiles.read(f).objects().getFirst();
        assertThat(o.errors()).isEmpty();
        return o.policy();
    }

    private Decision decide(String dst, String src, int proto, int port) {
        return engine.policyOf(dst).decide(engine.identityOf(src), proto, port);
    }

    private Decision decideFrom(String dst, int identity, int proto, int port) {
        return engine.policyOf(dst).decide(identity, proto, port);
    }

    private Decision egress(String src, String dst, int proto, int port) {
        return engine.egressPolicyOf(src).decide(engine.identityOf(dst), proto, port);
    }

    @Test
    void egressNamesDestinationsAndFollowsTheirLabels() throws IOException {
        engine.upsertEndpoint(pod("web", "shop", Map.of("app", "web"), "10.244.1.5", true));
        engine.upsertEndpoint(pod("db", "shop", Map.of("app", "db"), "10.244.2.7", false));
        engine.upsertEndpoint(pod("dns", "kube-system", Map.of("k8s-app", "kube-dns"), "10.244.2.8", false));
        var changed = engine.upsertPolicy(policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-egress, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {matchLabels: {app: db}}}]
                    ports: [{protocol: TCP, port: 5432}]
                  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
                    ports: [{protocol: UDP, port: 53}]
                """));
        assertThat(changed).containsExactly("web");
        assertThat(engine.policyOf("web").enforced()).as("Egress only: ingress open").isFalse();
        assertThat(engine.egressPolicyOf("web").enforced()).isTrue();
        assertThat(egress("web", "db", TCP, 5432).toString()).isEqualTo("allowed by NetworkPolicy:shop/web-egress spec.egress[0]");
        assertThat(egress("web", "db", TCP, 5433).reason()).isEqualTo(Decision.Reason.DEFAULT_DENY);
        assertThat(egress("web", "dns", UDP, 53).allowed()).isTrue();
        assertThat(egress("web", "dns", TCP, 53).allowed()).isFalse();
        assertThat(engine.egressPolicyOf("web").decide(ReservedIdentity.HOST.id(), TCP, 10250).allowed())
                .as("no implicit allow of the node on egress").isFalse();
        assertThat(engine.egressPolicyOf("web").decide(ReservedIdentity.WORLD.id(), TCP, 443).allowed()).isFalse();

        // the destination is relabelled: web's egress entries follow
        assertThat(engine.upsertEndpoint(pod("db", "shop", Map.of("app", "cache"), "10.244.2.7", false))).contains("web");
        assertThat(egress("web", "db", TCP, 5432).allowed()).isFalse();
    }

    private static Endpoint withPorts(String id, Map<String, String> labels, String ip, Map<String, Endpoint.NamedPort> ports) {
        return new Endpoint(id, Labels.ofPod("shop", labels, Map.of()), List.of(Cidr.parse(ip)), ports, false);
    }

    /**
     * An egress rule's named port is the destination's: it resolves per destination identity to
     * the numbers its pods give that name (all of them when pods of one label set differ), follows
     * a pod that joins, changes its ports or leaves, and allows nothing at a destination without it.
     */
    @Test
    void egressNamedPortsResolveAtEachDestination() throws IOException {
        engine.upsertEndpoint(pod("web", "shop", Map.of("app", "web"), "10.244.1.5", true));
        engine.upsertEndpoint(withPorts("db-0", Map.of("app", "db"), "10.244.2.7", Map.of("sql", new Endpoint.NamedPort(5432, Protocol.TCP))));
        engine.upsertEndpoint(withPorts("cache", Map.of("app", "cache"), "10.244.2.9", Map.of("sql", new Endpoint.NamedPort(7000, Protocol.TCP))));
        engine.upsertEndpoint(withPorts("other", Map.of("app", "other"), "10.244.2.10", Map.of()));
        engine.upsertPolicy(policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-egress, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {matchLabels: {app: db}}}, {podSelector: {matchLabels: {app: other}}}]
                    ports: [{protocol: TCP, port: sql}]
                """));
        assertThat(egress("web", "db-0", TCP, 5432).allowed()).isTrue();
        assertThat(egress("web", "db-0", TCP, 7000).allowed()).as("cache's number for the name, not db's").isFalse();
        assertThat(egress("web", "other", TCP, 5432).allowed()).as("a destination without the name: nothing").isFalse();

        // a second db pod names the port otherwise: both numbers for the db identity
        assertThat(engine.upsertEndpoint(withPorts("db-1", Map.of("app", "db"), "10.244.2.8",
                Map.of("sql", new Endpoint.NamedPort(5433, Protocol.TCP))))).contains("web");
        assertThat(egress("web", "db-1", TCP, 5433).allowed()).isTrue();
        assertThat(egress("web", "db-0", TCP, 5432).allowed()).isTrue();
        // its ports change (same labels): recomputed
        assertThat(engine.upsertEndpoint(withPorts("db-1", Map.of("app", "db"), "10.244.2.8",
                Map.of("sql", new Endpoint.NamedPort(5434, Protocol.TCP))))).contains("web");
        assertThat(egress("web", "db-1", TCP, 5433).allowed()).isFalse();
        assertThat(egress("web", "db-1", TCP, 5434).allowed()).isTrue();
        // it leaves: its number goes
        assertThat(engine.removeEndpoint("db-1")).contains("web");
        assertThat(engine.egressPolicyOf("web").decide(engine.identityOf("db-0"), TCP, 5434).allowed()).isFalse();
        // the protocol must match: UDP "sql" is not the TCP one
        assertThat(egress("web", "db-0", UDP, 5432).allowed()).isFalse();
    }

    @Test
    void protectedDbAllowsEmployeeOn6379AndDropsEverythingElse() throws IOException {
        engine.upsertEndpoint(pod("db", "default", Map.of("app", "protected-db"), "10.244.1.5", true));
        engine.upsertEndpoint(pod("emp", "default", Map.of("app", "employee"), "10.244.2.7", false));
        engine.upsertEndpoint(pod("guest", "default", Map.of("app", "guest"), "10.244.2.8", false));
        assertThat(decide("db", "guest", TCP, 6379).allowed()).as("no policy yet: open").isTrue();
        var changed = engine.upsertPolicy(policy("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: protected-db-ingress}
                spec:
                  endpointSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: employee}}]
                    toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
                """));
        assertThat(changed).containsExactly("db");
        assertThat(decide("db", "emp", TCP, 6379).toString())
                .isEqualTo("allowed by CiliumNetworkPolicy:default/protected-db-ingress spec.ingress[0]");
        assertThat(decide("db", "emp", TCP, 6380).reason()).isEqualTo(Decision.Reason.DEFAULT_DENY);
        assertThat(decide("db", "emp", UDP, 6379).allowed()).isFalse();
        assertThat(decide("db", "guest", TCP, 6379).allowed()).isFalse();
        assertThat(decideFrom("db", ReservedIdentity.WORLD.id(), TCP, 6379).allowed()).isFalse();
        assertThat(decideFrom("db", ReservedIdentity.HOST.id(), TCP, 9999).toString())
                .as("the node's own probes stay allowed").contains("kubelet probes");
    }

    @Test
    void denyBeatsAllowAtEverySpecificity() throws IOException {
        engine.upsertEndpoint(pod("api", "web", Map.of("app", "api"), "10.244.1.9", true));
        engine.upsertEndpoint(pod("bad", "web", Map.of("app", "bad"), "10.244.3.1", false));
        engine.upsertPolicy(policy("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: api, namespace: web}
                spec:
                  endpointSelector: {matchLabels: {app: api}}
                  ingress:
                  - fromEntities: [all]
                    toPorts: [{ports: [{port: "8000", endPort: 8100, protocol: TCP}]}]
                  ingressDeny:
                  - fromEndpoints: [{matchLabels: {app: bad}}]
                  - fromEntities: [host]
                    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
                """));
        assertThat(decideFrom("api", ReservedIdentity.WORLD.id(), TCP, 8050).allowed()).isTrue();
        assertThat(decide("api", "bad", TCP, 8050).toString()).isEqualTo("denied by CiliumNetworkPolicy:web/api spec.ingressDeny[0]");
        assertThat(decideFrom("api", ReservedIdentity.HOST.id(), TCP, 8080).reason()).isEqualTo(Decision.Reason.DENIED_BY_RULE);
        assertThat(decideFrom("api", ReservedIdentity.HOST.id(), TCP, 8081).allowed()).isTrue();
        // The range is covered exactly: 7999 and 8101 are outside.
        assertThat(decideFrom("api", ReservedIdentity.WORLD.id(), TCP, 7999).allowed()).isFalse();
        assertThat(decideFrom("api", ReservedIdentity.WORLD.id(), TCP, 8100).allowed()).isTrue();
        assertThat(decideFrom("api", ReservedIdentity.WORLD.id(), TCP, 8101).allowed()).isFalse();
    }

    @Test
    void cidrWithExceptAndNamedPortsAndNamespaceSelector() throws IOException {
        engine.upsertEndpoint(pod("db", "data", Map.of("app", "db"), "10.244.1.5", true));
        engine.upsertEndpoint(new Endpoint("ops-tool", Labels.ofPod("tools", Map.of(), Map.of("team", "ops")),
                List.of(Cidr.parse("10.244.4.4")), Map.of(), false));
        engine.upsertPolicy(policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: db, namespace: data}
                spec:
                  podSelector: {matchLabels: {app: db}}
                  ingress:
                  - from: [{ipBlock: {cidr: 172.16.0.0/12, except: [172.16.5.0/24]}}, {namespaceSelector: {matchLabels: {team: ops}}}]
                    ports: [{port: redis}]
                """));
        Map<Cidr, Integer> ipcache = engine.ipCache();
        int wide = ipcache.get(Cidr.parse("172.16.0.0/12"));
        int except = ipcache.get(Cidr.parse("172.16.5.0/24"));
        assertThat(ReservedIdentity.isCidr(wide)).isTrue();
        assertThat(ipcache.get(Cidr.parse("10.244.4.4/32"))).isEqualTo(engine.identityOf("ops-tool"));
        assertThat(decideFrom("db", wide, TCP, 6379).allowed()).isTrue();
        assertThat(decideFrom("db", except, TCP, 6379).allowed()).isFalse();
        assertThat(decide("db", "ops-tool", TCP, 6379).allowed()).isTrue();
        assertThat(decide("db", "ops-tool", TCP, 6380).allowed()).isFalse();
    }

    @Test
    void aLabelChangeMovesAnEndpointIntoAndOutOfAPolicyEverywhere() throws IOException {
        engine.upsertEndpoint(pod("db", "default", Map.of("app", "protected-db"), "10.244.1.5", true));
        engine.upsertEndpoint(pod("other", "default", Map.of("app", "other"), "10.244.1.6", true));
        engine.upsertEndpoint(pod("c", "default", Map.of("app", "guest"), "10.244.2.7", false));
        engine.upsertPolicy(policy("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: db}
                spec:
                  endpointSelector: {matchLabels: {app: protected-db}}
                  ingress: [{fromEndpoints: [{matchLabels: {app: employee}}]}]
                """));
        assertThat(decide("db", "c", TCP, 6379).allowed()).isFalse();
        int guestIdentity = engine.identityOf("c");
        var changed = engine.upsertEndpoint(pod("c", "default", Map.of("app", "employee"), "10.244.2.7", false));
        assertThat(changed).as("only the endpoint whose policy names the peer").containsExactly("db");
        assertThat(engine.identityOf("c")).isNotEqualTo(guestIdentity);
        assertThat(decide("db", "c", TCP, 6379).allowed()).isTrue();
        assertThat(decideFrom("db", guestIdentity, TCP, 6379).allowed()).isFalse();
        // A local endpoint relabelled into the subject becomes enforced; out of it, open again.
        assertThat(engine.upsertEndpoint(pod("other", "default", Map.of("app", "protected-db"), "10.244.1.6", true))).contains("other");
        assertThat(engine.policyOf("other").enforced()).isTrue();
        engine.removePolicy("CiliumNetworkPolicy:default/db");
        assertThat(engine.policyOf("db").enforced()).isFalse();
        assertThat(engine.policyOf("other").enforced()).isFalse();
    }

    @Test
    void aChangeRecomputesOnlyTheEndpointsItSelects() throws IOException {
        for (int i = 0; i < 50; i++) {
            engine.upsertEndpoint(pod("p" + i, "default", Map.of("app", "a" + (i % 5)), "10.244.1." + (i + 1), true));
        }
        String yaml = """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: a1}
                spec:
                  endpointSelector: {matchLabels: {app: a1}}
                  ingress: [{fromEndpoints: [{matchLabels: {app: a2}}], toPorts: [{ports: [{port: "%d"}]}]}]
                """;
        List<String> first = new ArrayList<>(engine.upsertPolicy(policy(yaml.formatted(80))));
        assertThat(first).hasSize(10).allMatch(id -> Integer.parseInt(id.substring(1)) % 5 == 1);
        assertThat(engine.upsertPolicy(policy(yaml.formatted(81)))).hasSize(10);
        assertThat(engine.policyOf("p1").decide(engine.identityOf("p2"), TCP, 81).allowed()).isTrue();
        assertThat(engine.policyOf("p1").decide(engine.identityOf("p2"), TCP, 80).allowed()).isFalse();
    }

    @Test
    void portRangesBecomeFewAlignedPrefixes() {
        List<int[]> blocks = new ArrayList<>();
        PolicyKey.coverRange(8000, 8100, (p, b) -> {
            blocks.add(new int[] {p, b});
            return 0;
        });
        long covered = blocks.stream().mapToLong(b -> 1L << (16 - b[1])).sum();
        assertThat(covered).isEqualTo(101);
        assertThat(blocks.size()).isLessThanOrEqualTo(30);
        List<int[]> all = new ArrayList<>();
        PolicyKey.coverRange(1, 65535, (p, b) -> {
            all.add(new int[] {p, b});
            return 0;
        });
        assertThat(all).hasSize(16);
    }

    @Test
    void anExternalEndpointIsSelectedLikeAPodOfItsNamespaceAndARelabelMovesIt() throws IOException {
        var vm = io.gannet.netpolicy.external.ExternalEndpoint.check("default", "billing-vm", List.of("192.0.2.10"),
                Map.of("app", "billing-vm"), "api").endpoint();
        engine.upsertEndpoint(pod("db", "default", Map.of("app", "protected-db"), "10.244.1.5", true));
        engine.upsertEndpoint(new Endpoint("external:default/billing-vm", vm.labelSet(), vm.cidrs(), Map.of(), false));
        int before = engine.identityOf("external:default/billing-vm");
        assertThat(engine.ipCache()).containsEntry(Cidr.parse("192.0.2.10/32"), before);
        engine.upsertPolicy(policy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: db-from-vm, namespace: default}
                spec:
                  podSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - from: [{podSelector: {matchLabels: {app: billing-vm}}}]
                    ports: [{port: 5432}]
                """));
        assertThat(decide("db", "external:default/billing-vm", TCP, 5432).allowed()).as("podSelector of its namespace").isTrue();
        var relabelled = io.gannet.netpolicy.external.ExternalEndpoint.check("default", "billing-vm", List.of("192.0.2.10"),
                Map.of("app", "visitor-vm"), "api").endpoint();
        var affected = engine.upsertEndpoint(new Endpoint("external:default/billing-vm", relabelled.labelSet(), relabelled.cidrs(),
                Map.of(), false));
        assertThat(affected).as("the pods whose policies name the old or new labels").containsExactly("db");
        int after = engine.identityOf("external:default/billing-vm");
        assertThat(after).isNotEqualTo(before);
        assertThat(engine.ipCache()).containsEntry(Cidr.parse("192.0.2.10/32"), after);
        assertThat(decide("db", "external:default/billing-vm", TCP, 5432).allowed()).isFalse();
        assertThat(decideFrom("db", before, TCP, 5432).allowed()).as("the old identity is gone from the entries").isFalse();
    }
}
