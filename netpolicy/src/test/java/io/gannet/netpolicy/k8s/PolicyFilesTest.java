package io.gannet.netpolicy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.model.Peer;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.PortRule;
import io.gannet.netpolicy.model.Protocol;
import io.gannet.netpolicy.model.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFilesTest {
    @TempDir
    Path dir;

    private PolicyFiles.Read read(String yaml) throws IOException {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, yaml);
        return PolicyFiles.read(f);
    }

    private Policy only(String yaml) throws IOException {
        PolicyFiles.Read r = read(yaml);
        assertThat(r.errors()).isEmpty();
        assertThat(r.objects()).hasSize(1);
        assertThat(r.objects().get(0).errors()).isEmpty();
        return r.objects().get(0).policy();
    }

    @Test
    void theProtectedDbPolicyExactlyAsWritten() throws IOException {
        Policy p = only("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: protected-db-ingress}
                spec:
                  endpointSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: employee}}]
                    toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
                """);
        assertThat(p.key()).isEqualTo("CiliumNetworkPolicy:default/protected-db-ingress");
        assertThat(p.ingress()).isTrue();
        assertThat(p.unsupported()).isEmpty();
        assertThat(p.subject().matches(Labels.ofPod("default", Map.of("app", "protected-db"), Map.of()))).isTrue();
        assertThat(p.subject().matches(Labels.ofPod("other", Map.of("app", "protected-db"), Map.of()))).isFalse();
        Rule r = p.rules().getFirst();
        assertThat(r.action()).isEqualTo(Rule.Action.ALLOW);
        assertThat(r.ports()).containsExactly(PortRule.range(Protocol.TCP, 6379, 6379));
        Peer.Endpoints from = (Peer.Endpoints) r.peers().getFirst();
        assertThat(from.selector().matches(Labels.ofPod("default", Map.of("app", "employee"), Map.of()))).isTrue();
        assertThat(from.selector().matches(Labels.ofPod("other", Map.of("app", "employee"), Map.of()))).isFalse();
        assertThat(p.origin()).endsWith("p.yaml:1");
    }

    @Test
    void networkPolicyPeersPortsAndDefaults() throws IOException {
        Policy p = only("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web, namespace: shop}
                spec:
                  podSelector: {matchLabels: {role: web}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {team: ops}}
                    - namespaceSelector: {matchLabels: {team: dev}}
                      podSelector: {matchExpressions: [{key: tier, operator: In, values: [fe, be]}]}
                    - podSelector: {}
                    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
                    ports:
                    - {port: 8080}
                    - {protocol: UDP, port: 5000, endPort: 5010}
                    - {port: http}
                """);
        assertThat(p.ingress()).isTrue();
        Rule r = p.rules().getFirst();
        assertThat(r.peers()).hasSize(4);
        Peer.Endpoints ops = (Peer.Endpoints) r.peers().get(0);
        assertThat(ops.selector().matches(Labels.ofPod("any", Map.of(), Map.of("team", "ops")))).isTrue();
        assertThat(ops.selector().matches(Labels.ofPod("any", Map.of(), Map.of("team", "dev")))).isFalse();
        assertThat(ops.selector().matches(Labels.of(Map.of("io.cilium.k8s.namespace.labels.team", "ops"))))
                .as("only pods (which carry a namespace) match a namespaceSelector").isFalse();
        Peer.Endpoints dev = (Peer.Endpoints) r.peers().get(1);
        assertThat(dev.selector().matches(Labels.ofPod("x", Map.of("tier", "fe"), Map.of("team", "dev")))).isTrue();
        assertThat(dev.selector().matches(Labels.ofPod("x", Map.of("tier", "db"), Map.of("team", "dev")))).isFalse();
        Peer.Endpoints same = (Peer.Endpoints) r.peers().get(2);
        assertThat(same.selector().matches(Labels.ofPod("shop", Map.of(), Map.of()))).isTrue();
        assertThat(same.selector().matches(Labels.ofPod("other", Map.of(), Map.of()))).isFalse();
        assertThat(r.peers().get(3).toString()).isEqualTo("cidr 172.17.0.0/16 except [172.17.1.0/24]");
        assertThat(r.ports()).containsExactly(PortRule.range(Protocol.TCP, 8080, 8080), PortRule.range(Protocol.UDP, 5000, 5010),
                PortRule.named(Protocol.TCP, "http"));
    }

    @Test
    void emptyIngressDeniesEverythingAndEgressRulesAreRead() throws IOException {
        Policy deny = only("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: a}
                spec:
                  podSelector: {}
                  policyTypes: [Ingress, Egress]
                  ingress: []
                  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
                """);
        assertThat(deny.ingress()).isTrue();
        assertThat(deny.egress()).isTrue();
        assertThat(deny.rules()).singleElement().satisfies(r -> {
            assertThat(r.direction()).isEqualTo(Rule.Direction.EGRESS);
            assertThat(r.peers()).containsExactly(new Peer.Cidrs(io.gannet.netpolicy.model.Cidr.parse("10.0.0.0/8"), List.of()));
            assertThat(r.ports()).isEmpty();
            assertThat(r.source()).isEqualTo("spec.egress[0]");
        });
        assertThat(deny.unsupported()).isEmpty();
        Policy egressOnly = only("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: egress-only, namespace: a}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                """);
        assertThat(egressOnly.ingress()).as("an Egress-only policy leaves ingress open").isFalse();
        assertThat(egressOnly.egress()).as("... and denies all egress").isTrue();
        Policy implied = only("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: dns, namespace: a}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  egress:
                  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
                    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: dns-tcp}]
                """);
        assertThat(implied.ingress()).as("no policyTypes: Ingress, and Egress since it has egress rules").isTrue();
        assertThat(implied.egress()).isTrue();
        assertThat(implied.rules().get(0).ports()).as("the named port is the destination's, resolved when compiled")
                .containsExactly(PortRule.range(Protocol.UDP, 53, 53), PortRule.named(Protocol.TCP, "dns-tcp"));
        assertThat(implied.unsupported()).isEmpty();
    }

    @Test
    void ciliumFieldsGannetDoesNotEnforceAreReportedPerPolicy() throws IOException {
        Policy p = only("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: l7, namespace: web}
                spec:
                  endpointSelector: {matchLabels: {"k8s:app": api}}
                  ingress:
                  - fromEntities: [world, health]
                    toPorts:
                    - ports: [{port: "80", protocol: TCP}, {port: "8000", endPort: 8100}]
                      rules: {http: [{method: GET}]}
                  ingressDeny:
                  - fromCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]
                    toPorts: [{ports: [{port: "22"}]}]
                  egress:
                  - toFQDNs: [{matchName: example.com}]
                  fromEndpoint: typo
                """);
        assertThat(p.unsupported()).containsExactlyInAnyOrder(
                "spec.fromEndpoint: unknown field, ignored",
                "spec.egress[0].toFQDNs: DNS-name rules are not enforced: they allow nothing",
                "spec.ingress[0].fromEntities[1]: entity 'health' is not enforced (world, cluster, host, remote-node and all are)",
                "spec.ingress[0].toPorts[0].rules: L7 and TLS rules are not enforced: the L4 part applies");
        assertThat(p.rules()).extracting(Rule::action).as("the toFQDNs rule allows nothing: no rule")
                .containsExactly(Rule.Action.ALLOW, Rule.Action.DENY);
        assertThat(p.egress()).as("an egress section: egress default deny").isTrue();
        assertThat(p.rules().get(0).ports()).containsExactly(PortRule.range(Protocol.TCP, 80, 80), PortRule.range(Protocol.ANY, 8000, 8100));
        assertThat(p.subject().matches(Labels.ofPod("web", Map.of("app", "api"), Map.of()))).isTrue();
    }

    @Test
    void ciliumEgressRulesAsWritten() throws IOException {
        Policy p = only("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: web-egress, namespace: web}
                spec:
                  endpointSelector: {matchLabels: {app: web}}
                  egress:
                  - toEndpoints: [{matchLabels: {app: db}}]
                    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
                  - toEntities: [host, world]
                    icmps: [{fields: [{type: EchoRequest}]}]
                  - toCIDRSet: [{cidr: 192.0.2.0/24, except: [192.0.2.128/25]}]
                  - toServices: [{k8sService: {serviceName: api, namespace: web}}]
                    toPorts: [{ports: [{port: "443"}]}]
                  egressDeny:
                  - toCIDR: [192.0.2.7/32]
                """);
        assertThat(p.ingress()).as("no ingress section: ingress stays open").isFalse();
        assertThat(p.egress()).isTrue();
        assertThat(p.rules()).extracting(Rule::direction).containsOnly(Rule.Direction.EGRESS);
        assertThat(p.rules()).extracting(Rule::source).as("the toServices rule allows nothing (not enforced)")
                .containsExactly("spec.egress[0]", "spec.egress[1]", "spec.egress[2]", "spec.egressDeny[0]");
        assertThat(p.rules().get(0).peers()).singleElement().isInstanceOf(Peer.Endpoints.class);
        assertThat(p.rules().get(1).ports()).containsExactly(PortRule.icmp(8));
        assertThat(p.rules().get(3).action()).isEqualTo(Rule.Action.DENY);
        assertThat(p.unsupported()).containsExactly("spec.egress[3].toServices: not enforced");

        Policy open = only("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: extra, namespace: web}
                spec:
                  endpointSelector: {matchLabels: {app: web}}
                  enableDefaultDeny: {egress: false}
                  egress:
                  - toEntities: [world]
                """);
        assertThat(open.egress()).as("enableDefaultDeny.egress: false").isFalse();
        assertThat(open.rules()).hasSize(1);
    }

    @Test
    void ciliumIcmpsJoinTheRulesPortsIcmpv6TypesToo() throws IOException {
        Policy p = only("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: ping, namespace: web}
                spec:
                  endpointSelector: {matchLabels: {app: api}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: monitor}}]
                    icmps: [{fields: [{type: 8, family: IPv4}, {type: EchoReply}, {type: "13"}]}]
                    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
                  - fromEntities: [world]
                    icmps: [{fields: [{type: EchoRequest}, {type: 128, family: IPv6}, {type: EchoReply, family: IPv6}]}]
                  ingressDeny:
                  - fromCIDR: [192.0.2.0/24]
                    icmps: [{fields: [{type: Timestamp}]}]
                """);
        assertThat(p.rules().get(2).ports()).containsExactly(PortRule.icmp(13));
        assertThat(p.unsupported()).as("ICMPv6 is enforced (lib/policy.h, by type)").isEmpty();
        assertThat(p.rules().get(0).ports()).containsExactly(PortRule.range(Protocol.TCP, 80, 80), PortRule.icmp(8),
                PortRule.icmp(0), PortRule.icmp(13));
        assertThat(p.rules().get(1).ports()).as("icmps alone: those types only, not every port").containsExactly(PortRule.icmp(8),
                PortRule.icmp6(128), PortRule.icmp6(129));
        assertThat(PortRule.icmp6(128)).hasToString("type 128/ICMPV6");
        assertThat(PortRule.icmp(0).allPorts()).as("type 0 is echo reply, not every type").isFalse();
        assertThat(PortRule.icmp(8)).hasToString("type 8/ICMP");
    }

    @Test
    void badIcmpTypesAreRefusedWithTheirPath() throws IOException {
        PolicyFiles.Read r = read("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: ping, namespace: web}
                spec:
                  endpointSelector: {matchLabels: {app: api}}
                  ingress:
                  - icmps: [{fields: [{type: TimestampRequest}, {type: 300}, {family: IPv4}, {type: 8, family: IPv5}]}]
                """);
        assertThat(r.objects()).hasSize(1);
        assertThat(r.objects().get(0).errors()).extracting(Object::toString).anySatisfy(e -> assertThat(e).contains("spec.ingress[0].icmps[0].fields[0].type", "TimestampRequest"))
                .anySatisfy(e -> assertThat(e).contains("fields[1].type", "'300'"))
                .anySatisfy(e -> assertThat(e).contains("fields[2].type", "is required"))
                .anySatisfy(e -> assertThat(e).contains("fields[3].family", "IPv5"));
    }

    @Test
    void brokenObjectsAreRefusedWholeWithThePathOfEachError() throws IOException {
        PolicyFiles.Read r = read("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: ok, namespace: a}
                spec: {podSelector: {}, ingress: [{}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: bad, namespace: a}
                spec:
                  podSelector: {matchExpressions: [{key: app, operator: Maybe, values: [x]}]}
                  ingress:
                  - from: [{ipBlock: {cidr: 10.0.0.0/33, except: [11.0.0.0/8]}}, {ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}}]
                    ports: [{port: 70000}, {port: 80, endPort: 79}, {protocol: ICMP}]
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.objects()).hasSize(2);
        assertThat(r.objects().get(0).valid()).isTrue();
        PolicyObject bad = r.objects().get(1);
        assertThat(bad.valid()).isFalse();
        assertThat(bad.origin()).endsWith("p.yaml:6");
        assertThat(bad.errors()).containsExactly(
                "spec.podSelector.matchExpressions[0].operator: 'Maybe' is not In, NotIn, Exists or DoesNotExist",
                "spec.ingress[0].from[0].ipBlock.cidr: prefix length 33 out of range 0-32",
                "spec.ingress[0].from[1].ipBlock.except[0]: 11.0.0.0/8 is not inside 10.0.0.0/8",
                "spec.ingress[0].ports[0].port: '70000' is not a port number 1-65535 or a port name",
                "spec.ingress[0].ports[1].endPort: '79' must be a port number from port (80) to 65535",
                "spec.ingress[0].ports[2].protocol: 'ICMP' is not TCP, UDP or SCTP");
    }

    @Test
    void yamlErrorsNameFileLineAndColumnAndListsAreRead() throws IOException {
        PolicyFiles.Read broken = read("apiVersion: v1\nkind: List\nitems: [\n  {a: b\n");
        assertThat(broken.objects()).isEmpty();
        assertThat(broken.errors()).singleElement().asString().matches(".*p\\.yaml:\\d+:\\d+: .+");
        PolicyFiles.Read list = read("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: networking.k8s.io/v1
                  kind: NetworkPolicy
                  metadata: {name: one, namespace: a}
                  spec: {podSelector: {}}
                - apiVersion: v1
                  kind: Service
                  metadata: {name: not-a-policy}
                - apiVersion: cilium.io/v2
                  kind: CiliumNetworkPolicy
                  metadata: {name: two, namespace: a}
                  spec: {endpointSelector: {}, ingress: [{fromEntities: [cluster]}]}
                """);
        assertThat(list.errors()).isEmpty();
        assertThat(list.objects()).extracting(PolicyObject::name).containsExactly("one", "two");
        assertThat(list.objects()).allMatch(PolicyObject::valid);
    }

    @Test
    void garbageNeverThrows() throws IOException {
        for (String junk : List.of("", "---\n---\n", "[1, 2]", "kind: NetworkPolicy", "kind: CiliumNetworkPolicy\nspecs: 3",
                "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\nspec: {endpointSelector: 5, ingress: 7}",
                "\t\u0000", "a: [")) {
            PolicyFiles.Read r = read(junk);
            for (PolicyObject o : r.objects()) {
                assertThat(o.valid()).as(junk).isFalse();
                assertThat(o.errors()).as(junk).isNotEmpty();
            }
        }
    }
}
