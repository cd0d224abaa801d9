package io.gannet.netpolicy.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files a user writes -> directory -> engine -> PolicyFeature -> to_pod, judged by the kernel
 * (BPF_PROG_TEST_RUN). The pod under test is behind ifindex 1 (the test harness's loopback);
 * the other pods are registered under ifindexes no device has, which only names them.
 */
class PolicyEnforcerTest {
    static final int TC_ACT_UNSPEC = -1;
    static final int TC_ACT_SHOT = 2;

    @TempDir
    Path dir;
    Path pinRoot;
    Datapath dp;
    BpfProgram toPod;
    PolicyEnforcer enforcer;
    PolicyDirectory directory;
    final List<String> logLines = new ArrayList<>();

    @BeforeEach
    void open() {
        Requirements.requireBpf();
        pinRoot = Path.of("/sys/fs/bpf/gannet-test-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt()));
        dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pinRoot));
        toPod = dp.program(Datapath.TO_POD);
        enforcer = new PolicyEnforcer(dp.policyFeature(), (s, m) -> logLines.add(s + ": " + m));
        directory = new PolicyDirectory(dir);
    }

    @AfterEach
    void close() {
        if (dp != null) {
            dp.close();
        }
        Datapath.removePins(pinRoot);
    }

    static final String PROTECTED_DB = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: protected-db-ingress}
            spec:
              endpointSelector: {matchLabels: {app: protected-db}}
              ingress:
              - fromEndpoints: [{matchLabels: {app: employee}}]
                toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
            """;

    static final String PODS = """
            apiVersion: v1
            kind: Pod
            metadata: {namespace: default, name: db, labels: {app: protected-db}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: default, name: employee, labels: {app: employee}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: default, name: visitor, labels: {app: visitor}}
            """;

    /** What Datapath.attachPod records for the pod on ifindex 1 (no device is attached in this test). */
    void attachDb(String ip) {
        dp.endpoints().put(1, new io.gannet.bpf.maps.EndpointValue(io.gannet.bpf.lb.Ipv4.parse(ip), dp.policyFeature().flagsFor(1)));
    }

    void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
        enforcer.directoryChanged(directory.reload());
    }

    int sport = 40000; // a new flow per packet: a tracked flow would pass as established

    int syn(String from, String to, int dport) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 6).putShort((short) 0).put(addr(from)).put(addr(to));
        b.putShort((short) sport++).putShort((short) dport).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02)
                .putShort((short) 64240).putShort((short) 0).putShort((short) 0);
        return toPod.testRun(b.array(), 1).verdict();
    }

    static byte[] addr(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void protectedDbAsWrittenInTheIssue() throws IOException {
        write("pods.yaml", PODS);
        enforcer.podAdded("default", "db", "10.4.0.10", 1);
        attachDb("10.4.0.10");
        enforcer.podAdded("default", "employee", "10.4.0.20", 990001);
        enforcer.podAdded("default", "visitor", "10.4.0.21", 990002);
        assertThat(syn("10.4.0.21", "10.4.0.10", 6379)).as("no policy yet: open").isEqualTo(TC_ACT_UNSPEC);

        write("db-policy.yaml", PROTECTED_DB);
        assertThat(syn("10.4.0.20", "10.4.0.10", 6379)).as("employee -> 6379").isEqualTo(TC_ACT_UNSPEC);
        assertThat(syn("10.4.0.21", "10.4.0.10", 6379)).as("visitor -> 6379").isEqualTo(TC_ACT_SHOT);
        assertThat(syn("10.4.0.20", "10.4.0.10", 6380)).as("employee -> 6380").isEqualTo(TC_ACT_SHOT);

        assertThat(enforcer.pollDrops()).isEqualTo(2);
        List<PolicyEnforcer.Drop> drops = enforcer.dropsAfter(0);
        assertThat(drops.get(0).source()).isEqualTo("10.4.0.21");
        assertThat(drops.get(0).identity()).contains("app=visitor");
        assertThat(drops.get(0).endpoint()).isEqualTo("default/db");
        assertThat(drops.get(0).destinationPort()).isEqualTo(6379);
        assertThat(drops.get(0).reason()).isEqualTo("drop_default_deny");
        assertThat(enforcer.dropsAfter(drops.get(0).seq())).hasSize(1);
        assertThat(enforcer.counters()).containsEntry("drop_default_deny", 2L).containsEntry("allowed", 1L);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> eps = (List<Map<String, Object>>) enforcer.show("db").get("endpoints");
        assertThat(eps).hasSize(1);
        assertThat(eps.get(0).get("selectedBy").toString()).contains("CiliumNetworkPolicy:default/protected-db-ingress");
        assertThat(eps.get(0).get("entries").toString()).contains("verdict=allow", "app=employee", "ports=6379", "protocol=TCP");

        // visitor becomes an employee: a label change is an identity change, the db's entries follow
        write("pods.yaml", PODS.replace("app: visitor", "app: employee"));
        assertThat(syn("10.4.0.21", "10.4.0.10", 6379)).isEqualTo(TC_ACT_UNSPEC);
    }

    /** Pods of another node, learned from the cluster store, are admitted or dropped by their labels, not as "world". */
    @Test
    void podsOfAnotherNodeAreJudgedByTheirLabels() throws IOException {
        write("pods.yaml", PODS);
        write("db-policy.yaml", PROTECTED_DB);
        enforcer.podAdded("default", "db", "10.4.0.10", 1);
        attachDb("10.4.0.10");
        assertThat(syn("10.4.1.20", "10.4.0.10", 6379)).as("unknown address: dropped").isEqualTo(TC_ACT_SHOT);

        var employee = new io.gannet.netpolicy.pods.PublishedPod("node2", "default", "employee", "10.4.1.20");
        var visitor = new io.gannet.netpolicy.pods.PublishedPod("node2", "default", "visitor", "10.4.1.21");
        enforcer.remotePodsChanged(new io.gannet.netpolicy.pods.PublishedPods.Change(true, List.of(employee, visitor), List.of(), List.of()));
        assertThat(syn("10.4.1.20", "10.4.0.10", 6379)).as("node2's employee -> 6379").isEqualTo(TC_ACT_UNSPEC);
        assertThat(syn("10.4.1.21", "10.4.0.10", 6379)).as("node2's visitor -> 6379").isEqualTo(TC_ACT_SHOT);
        enforcer.pollDrops();
        assertThat(enforcer.dropsAfter(0).getLast().identity()).contains("app=visitor");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> remote = (List<Map<String, Object>>) enforcer.show("10.4.1.20").get("remotePodsMatching");
        assertThat(remote).hasSize(1);
        assertThat(remote.get(0)).containsEntry("node", "node2").containsEntry("endpoint", "default/employee");
        assertThat(remote.get(0).get("labels").toString()).contains("app=employee");

        // a label change in this node's directory moves the remote pod too
        write("pods.yaml", PODS.replace("app: visitor", "app: employee"));
        assertThat(syn("10.4.1.21", "10.4.0.10", 6379)).as("the visitor relabelled an employee").isEqualTo(TC_ACT_UNSPEC);
        // removed from the store: its address is unknown again
        enforcer.remotePodsChanged(new io.gannet.netpolicy.pods.PublishedPods.Change(false, List.of(), List.of(employee.storeKey()), List.of()));
        assertThat(syn("10.4.1.20", "10.4.0.10", 6379)).as("gone from the store").isEqualTo(TC_ACT_SHOT);
        // a resync without the visitor removes it as well
        enforcer.remotePodsChanged(new io.gannet.netpolicy.pods.PublishedPods.Change(true, List.of(), List.of(), List.of()));
        assertThat(syn("10.4.1.21", "10.4.0.10", 6379)).isEqualTo(TC_ACT_SHOT);
        assertThat(enforcer.show(null).get("remotePods")).isEqualTo(0);
    }

    @Test
    void otherHostsOfTheFabricAreRemoteNodes() throws IOException {
        write("pods.yaml", PODS);
        write("db-policy.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: db-from-nodes}
                spec:
                  endpointSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - fromEntities: [remote-node]
                    toPorts: [{ports: [{port: "9100", protocol: TCP}]}]
                  - fromEntities: [cluster]
                    toPorts: [{ports: [{port: "9200", protocol: TCP}]}]
                """);
        enforcer.podAdded("default", "db", "10.4.0.10", 1);
        attachDb("10.4.0.10");
        enforcer.hostAddresses(List.of(InetAddress.getByName("10.4.0.1")));
        assertThat(syn("10.9.0.2", "10.4.0.10", 9100)).as("another node's address, before it is known: world").isEqualTo(TC_ACT_SHOT);
        enforcer.remoteNodes(List.of(InetAddress.getByName("10.9.0.2"), InetAddress.getByName("10.9.0.3"),
                InetAddress.getByName("10.4.0.1")));
        assertThat(syn("10.9.0.2", "10.4.0.10", 9100)).as("remote-node").isEqualTo(TC_ACT_UNSPEC);
        assertThat(syn("10.9.0.3", "10.4.0.10", 9200)).as("cluster includes remote nodes").isEqualTo(TC_ACT_UNSPEC);
        assertThat(syn("10.9.0.4", "10.4.0.10", 9100)).as("not a host of the fabric").isEqualTo(TC_ACT_SHOT);
        assertThat(dp.policyFeature().ipcache()).as("this node's own address stays host")
                .containsEntry(new io.gannet.bpf.maps.IpcacheKey(32, 0x0a040001), 1)
                .containsEntry(new io.gannet.bpf.maps.IpcacheKey(32, 0x0a090002), 6);
        assertThat(enforcer.show(null).get("remoteNodes")).isEqualTo(List.of("10.9.0.2", "10.9.0.3"));
        enforcer.remoteNodes(List.of(InetAddress.getByName("10.9.0.3")));
        assertThat(syn("10.9.0.2", "10.4.0.10", 9100)).as("left the profile").isEqualTo(TC_ACT_SHOT);
    }

    @Test
    void aMalformedFileKeepsThePreviousPolicy() throws IOException {
        write("pods.yaml", PODS);
        write("db-policy.yaml", PROTECTED_DB);
        enforcer.podAdded("default", "db", "10.4.0.10", 1);
        attachDb("10.4.0.10");
        enforcer.podAdded("default", "employee", "10.4.0.20", 990001);
        enforcer.podAdded("default", "visitor", "10.4.0.21", 990002);
        // half-valid: the policy now also lets the visitor in, but a second object is broken
        write("db-policy.yaml", PROTECTED_DB.replace("{app: employee}", "{app: visitor}") + """
                ---
                apiVersion: networking.k8s.io/v2
                kind: NetworkPolicy
                metadata: {name: broken}
                spec:
                  podSelector: {matchLabels: {app: protected-db}}
                """);
        assertThat(syn("10.4.0.21", "10.4.0.10", 6379)).as("visitor still dropped").isEqualTo(TC_ACT_SHOT);
        assertThat(syn("10.4.0.20", "10.4.0.10", 6379)).as("employee still allowed").isEqualTo(TC_ACT_UNSPEC);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> files = (List<Map<String, Object>>) enforcer.show(null).get("filesNotApplied");
        assertThat(files).hasSize(1);
        assertThat(files.get(0).get("status").toString()).contains("previous valid version stays in force");
        assertThat(files.get(0).get("errors").toString()).contains("db-policy.yaml:");

        // not YAML at all: file:line:column, and the policy still holds
        write("db-policy.yaml", "apiVersion: cilium.io/v2\nkind: [unclosed\n");
        assertThat(syn("10.4.0.21", "10.4.0.10", 6379)).isEqualTo(TC_ACT_SHOT);
        files = (List<Map<String, Object>>) enforcer.show(null).get("filesNotApplied");
        assertThat(files.get(0).get("errors").toString()).containsPattern("db-policy.yaml:\\d+:\\d+");
        assertThat(logLines).anyMatch(l -> l.contains("db-policy.yaml:") && l.contains("fail closed"));
    }

    @Test
    void networkPolicyWithNamespaceSelector() throws IOException {
        write("ns.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-a, labels: {team: a}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-b, labels: {team: b}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {namespace: db, name: db, labels: {app: db}}
                """);
        write("np.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-team-a, namespace: db}
                spec:
                  podSelector: {matchLabels: {app: db}}
                  policyTypes: [Ingress]
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {team: a}}
                    ports:
                    - {protocol: TCP, port: 5432, endPort: 5440}
                """);
        enforcer.podAdded("db", "db", "10.4.0.10", 1);
        attachDb("10.4.0.10");
        enforcer.podAdded("team-a", "client", "10.4.0.30", 990003);
        enforcer.podAdded("team-b", "client", "10.4.0.31", 990004);
        assertThat(syn("10.4.0.30", "10.4.0.10", 5432)).isEqualTo(TC_ACT_UNSPEC);
        assertThat(syn("10.4.0.30", "10.4.0.10", 5440)).isEqualTo(TC_ACT_UNSPEC);
        assertThat(syn("10.4.0.30", "10.4.0.10", 5441)).isEqualTo(TC_ACT_SHOT);
        assertThat(syn("10.4.0.31", "10.4.0.10", 5432)).isEqualTo(TC_ACT_SHOT);
        assertThat(syn("192.0.2.1", "10.4.0.10", 5432)).as("world").isEqualTo(TC_ACT_SHOT);

        // the node itself stays allowed (identity host)
        enforcer.hostAddresses(List.of(InetAddress.getByName("10.4.0.1")));
        assertThat(syn("10.4.0.1", "10.4.0.10", 8080)).isEqualTo(TC_ACT_UNSPEC);
    }

    /** An IPv6 packet into the pod on ifindex 1 (to_pod): a TCP SYN to {@code dport}, or an ICMPv6 message of {@code icmpType}. */
    int ipv6In(String from, String to, int dport, int icmpType) {
        boolean tcp = icmpType < 0;
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 20);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x86dd);
        b.putInt(0x60000000).putShort((short) 20).put((byte) (tcp ? 6 : 58)).put((byte) 64).put(addr(from)).put(addr(to));
        if (tcp) {
            b.putShort((short) sport++).putShort((short) dport).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02)
                    .putShort((short) 64240).putShort((short) 0).putShort((short) 0);
        } else {
            b.put((byte) icmpType).put((byte) 0).putShort((short) 0).putShort((short) sport++).put(new byte[14]);
        }
        return toPod.testRun(b.array(), 1).verdict();
    }

    static final String DB6 = "fd00:10:244:1::a";
    static final String EMPLOYEE6 = "fd00:10:244:1::14";
    static final String VISITOR6 = "fd00:10:244:1::15";

    /**
     * IPv6 is judged as IPv4 is: an IPv6-only pod a policy selects admits a dual-stack peer by its
     * IPv6 address (the same identity as its IPv4 one), an IPv6 external endpoint by its labels, an
     * IPv6 ipBlock with except, ICMPv6 echo
     * by type from icmps with family IPv6, and the node's IPv6 address as host; neighbor discovery
     * passes; show names every address and says nothing is "not judged"; drops read in IPv6.
     */
    @Test
    void ipv6PodsArePolicedByIdentityIpBlockAndIcmpv6TypeAsIpv4Is() throws IOException {
        write("pods.yaml", PODS);
        enforcer.podAdded("default", "db", DB6, 1);
        dp.endpoints().put(1, new io.gannet.bpf.maps.EndpointValue(0, dp.policyFeature().flagsFor(1))); // as attachPod of an IPv6-only pod
        enforcer.podAdded("default", "employee", "10.4.0.20", 990001);
        enforcer.podAddressAdded(990001, EMPLOYEE6); // a dual-stack pod's IPv6 address (attachIpv6)
        enforcer.podAdded("default", "visitor", VISITOR6, 990002);
        enforcer.hostAddresses(List.of(InetAddress.getByName("10.4.0.1"), InetAddress.getByName("fd00:10:244:1::1"),
                InetAddress.getByName("fe80::1")));
        assertThat(ipv6In(VISITOR6, DB6, 6379, -1)).as("no policy yet: open").isEqualTo(TC_ACT_UNSPEC);

        write("db-policy.yaml", PROTECTED_DB + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {namespace: default, name: db-from-lab}
                spec:
                  podSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - from: [{ipBlock: {cidr: "2001:db8:7::/48", except: ["2001:db8:7:1::/64"]}}]
                    ports: [{port: 5432}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: db-ping}
                spec:
                  endpointSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: employee}}]
                    icmps: [{fields: [{type: EchoRequest, family: IPv6}]}]
                """);
        assertThat(ipv6In(EMPLOYEE6, DB6, 6379, -1)).as("employee (dual-stack) by its IPv6 address -> 6379").isEqualTo(TC_ACT_UNSPEC);
        assertThat(ipv6In(VISITOR6, DB6, 6379, -1)).as("visitor -> 6379").isEqualTo(TC_ACT_SHOT);
        assertThat(ipv6In(EMPLOYEE6, DB6, 6380, -1)).as("employee -> 6380").isEqualTo(TC_ACT_SHOT);
        assertThat(ipv6In("2001:db8:7:2::9", DB6, 5432, -1)).as("from the ipBlock").isEqualTo(TC_ACT_UNSPEC);
        assertThat(ipv6In("2001:db8:7:1::9", DB6, 5432, -1)).as("from its except").isEqualTo(TC_ACT_SHOT);
        assertThat(ipv6In("2001:db8:8::9", DB6, 5432, -1)).as("the world").isEqualTo(TC_ACT_SHOT);
        // an external endpoint with an IPv6 address and the employee label set
        enforcer.externalEndpointsChanged(List.of(io.gannet.netpolicy.external.ExternalEndpoint.check("default", "lab-vm",
                List.of("2001:db8:9::5"), Map.of("app", "employee"), "api").endpoint()), List.of());
        assertThat(ipv6In("2001:db8:9::5", DB6, 6379, -1)).as("an IPv6 external endpoint labelled employee").isEqualTo(TC_ACT_UNSPEC);
        assertThat(ipv6In(EMPLOYEE6, DB6, 0, 128)).as("echo request from employee").isEqualTo(TC_ACT_UNSPEC);
        assertThat(ipv6In(VISITOR6, DB6, 0, 128)).as("echo request from visitor").isEqualTo(TC_ACT_SHOT);
        assertThat(ipv6In("fd00:10:244:1::1", DB6, 8080, -1)).as("the node's IPv6 address: host").isEqualTo(TC_ACT_UNSPEC);
        assertThat(ipv6In("fe80::b", DB6, 0, 135)).as("neighbour solicitation").isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_POLICY_IPV6)).isZero();

        assertThat(enforcer.pollDrops()).isEqualTo(5);
        List<PolicyEnforcer.Drop> drops = enforcer.dropsAfter(0);
        assertThat(drops.get(0).source()).isEqualTo(VISITOR6);
        assertThat(drops.get(0).destination()).isEqualTo(DB6);
        assertThat(drops.get(0).endpoint()).isEqualTo("default/db");
        assertThat(drops.get(0).identity()).contains("app=visitor");
        assertThat(drops.get(3).identity()).as("the world").contains("world");
        assertThat(drops.get(4).protocol()).isEqualTo("ICMPv6");
        assertThat(drops.get(4).destinationPort()).as("the ICMPv6 type").isEqualTo(128);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> eps = (List<Map<String, Object>>) enforcer.show(EMPLOYEE6).get("endpoints");
        assertThat(eps).hasSize(1);
        assertThat(eps.get(0).get("addresses")).isEqualTo(List.of("10.4.0.20", EMPLOYEE6));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> db = (List<Map<String, Object>>) enforcer.show(DB6).get("endpoints");
        assertThat(db.get(0)).doesNotContainKey("notJudged");
        assertThat(db.get(0).get("entries").toString()).contains("cidr 2001:db8:7::/48", "ICMPv6", "type 128", "6379");
        assertThat(logLines).noneMatch(l -> l.contains("not judged") || l.contains("IPv4 only") || l.contains("not enforced"));
    }
}
