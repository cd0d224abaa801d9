package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NetworkPolicy on dual-stack pods through {@code gannet run --cni-socket --policy-dir}, as a user
 * runs it: one dual-stack node (an IPv4 and an IPv6 PodCIDR; no BGP speaker at the other end of
 * its link), three pods made by the CNI plugin binary (each with an IPv4 and an IPv6 address: the
 * IPv6 one reaches policy through the CNI backend's attachIpv6), and two NetworkPolicies written
 * into the directory. The web pod admits the client pod on TCP 8080 over both families (one
 * identity for both of its addresses) and an IPv6 ipBlock (a host beyond the node's link) but
 * not its except; a third pod is denied over both. The client's egress policy lets it reach web
 * pods on 8080 and nothing else, over both families. All of it holds through a daemon restart.
 */
class DaemonDualStackPolicyTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: dual-policy}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool:
                - {cidr: 10.246.0.0/16, prefixLength: 24}
                - {cidr: "fd00:10:246::/56", prefixLength: 64}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.206.0.254, "fd00:206::fe"], asn: 4200100001}
                hosts:
                  - {name: node1, address: [10.206.0.1, "fd00:206::1"], podCIDR: [10.246.1.0/24, "fd00:10:246:1::/64"]}
            """;

    /** Connects from source argv[1] to [argv[2]]:argv[3]; prints "connected" or "failed ...". */
    private static final String FROM_CLIENT = """
            import socket, sys
            try:
                c = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET)
                c.settimeout(2)
                c.bind((sys.argv[1], 0))
                c.connect((sys.argv[2], int(sys.argv[3])))
                print("connected")
            except Exception as e:
                print("failed %s" % e)
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    /** The pod's addresses from an ADD result, without prefix lengths, IPv4 first. */
    private static List<String> addresses(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("ips").forEach(ip -> out.add(ip.path("address").asText().replaceAll("/.*", "")));
        return out;
    }

    @Test
    void aPolicyAdmitsAPodOverBothFamiliesAnIpv6IpBlockButNotItsExceptAndEgressLetsTheClientReachWebOnly() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("python3");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        NetworkNamespace node = bed.ns("dpn");
        NetworkNamespace lab = bed.ns("dpl"); // beyond the node's link: the ipBlock's host and its except
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", node.name(), "type", "veth", "peer", "name", "eth0",
                "netns", lab.name());
        node.exec("ip", "addr", "add", "10.206.0.1/24", "dev", "eth0");
        node.exec("ip", "addr", "add", "fd00:206::1/64", "dev", "eth0", "nodad");
        node.exec("ip", "link", "set", "eth0", "up");
        lab.exec("ip", "addr", "add", "fd00:206::fe/64", "dev", "eth0", "nodad");
        lab.exec("ip", "addr", "add", "fd00:206::ff/64", "dev", "eth0", "nodad");
        lab.exec("ip", "link", "set", "eth0", "up");
        lab.exec("ip", "-6", "route", "add", "fd00:10:246:1::/64", "via", "fd00:206::1");
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        Path socket = dir.resolve("cni.sock");
        Path policies = Files.createDirectories(dir.resolve("policies"));
        String[] args = {"--cni-socket", socket.toString(), "--policy-dir", policies.toString(), "--bpf-pin-root",
            bed.pinRoot("dual-policy").toString()};
        GannetProcess gannet = bed.daemon(GannetProcess.startKeepingMounts(node, dir, profile, "node1", args));
        gannet.awaitTrue("CNI socket", () -> Files.exists(socket), gannet::log);

        NetworkNamespace web = bed.ns("dpw");
        NetworkNamespace client = bed.ns("dpc");
        NetworkNamespace other = bed.ns("dpo");
        List<String> w = addresses(CniCall.add(plugin, node, socket, "ctr-dpw", web, CniCall.podArgs("shop", "web-0")));
        List<String> c = addresses(CniCall.add(plugin, node, socket, "ctr-dpc", client, CniCall.podArgs("shop", "client")));
        List<String> o = addresses(CniCall.add(plugin, node, socket, "ctr-dpo", other, CniCall.podArgs("shop", "other")));
        assertThat(w).as("a dual-stack pod").hasSize(2);
        assertThat(w.get(1)).contains(":");
        Path server = dir.resolve("server.py");
        Files.writeString(server, DaemonIpv6ExternalServicesTest.SERVER);
        Path from = dir.resolve("from.py");
        Files.writeString(from, FROM_CLIENT);
        for (String a : w) {
            bed.start(web, "python3", server.toString(), "web-0", a, "8080");
        }
        for (String a : o) {
            bed.start(other, "python3", server.toString(), "other", a, "9090");
        }
        gannet.awaitTrue("no policy yet: the client reaches the third pod over IPv6",
                () -> run(client, from, c.get(1), o.get(1), "9090").equals("connected"), () -> run(client, from, c.get(1), o.get(1), "9090"));
        assertThat(run(lab, from, "fd00:206::ff", w.get(1), "8080")).as("no policy yet: the lab host reaches web-0").isEqualTo("connected");

        Files.writeString(policies.resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: web-0, labels: {app: web}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: client, labels: {app: client}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: other, labels: {app: other}}
                """);
        Files.writeString(policies.resolve("policies.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-in, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  policyTypes: [Ingress]
                  ingress:
                  - from:
                    - podSelector: {matchLabels: {app: client}}
                    - ipBlock: {cidr: "fd00:206::/64", except: ["fd00:206::ff/128"]}
                    ports: [{port: 8080, protocol: TCP}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: client-out, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: client}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {matchLabels: {app: web}}}]
                    ports: [{port: 8080, protocol: TCP}]
                """);
        gannet.awaitTrue("both policies applied", () -> gannet.cli("show", "policy", "client").contains("selected for egress by")
                && gannet.cli("show", "policy", "web-0").contains("selected by: NetworkPolicy:shop/web-in"), () -> gannet.cli("show", "policy"));

        holds(client, other, lab, from, w, c, o, "at first");
        String show = gannet.cli("show", "policy", "web-0");
        assertThat(show).contains(w.get(0)).contains(w.get(1)).contains("cidr fd00:206::/64").doesNotContain("not judged");
        assertThat(gannet.cli("show", "policy", c.get(1))).as("found by its IPv6 address").contains("shop/client");

        // the daemon restarts: the pods are restored with both addresses (pods.json), the pinned
        // ipcaches re-read, and the same verdicts hold
        assertThat(gannet.terminate(java.time.Duration.ofSeconds(20))).isTrue();
        GannetProcess again = bed.daemon(GannetProcess.startKeepingMounts(node, dir, profile, "node1", args));
        again.awaitTrue("policy restored", () -> again.cli("show", "policy", "web-0").contains("selected by: NetworkPolicy:shop/web-in")
                && again.cli("show", "policy", "client").contains(c.get(1)), () -> again.cli("show", "policy") + again.log());
        holds(client, other, lab, from, w, c, o, "after a restart");
        assertThat(again.alive()).isTrue();
    }

    private static void holds(NetworkNamespace client, NetworkNamespace other, NetworkNamespace lab, Path from, List<String> w,
            List<String> c, List<String> o, String when) {
        for (int f = 0; f < 2; f++) {
            String fam = (f == 0 ? "IPv4" : "IPv6") + " " + when;
            assertThat(run(client, from, c.get(f), w.get(f), "8080")).as("client -> web-0:8080 over " + fam).isEqualTo("connected");
            assertThat(run(other, from, o.get(f), w.get(f), "8080")).as("the third pod -> web-0 over " + fam).startsWith("failed");
            assertThat(run(client, from, c.get(f), o.get(f), "9090")).as("client -> the third pod over " + fam + ": egress")
                    .startsWith("failed");
        }
        assertThat(run(lab, from, "fd00:206::fe", w.get(1), "8080")).as("from the IPv6 ipBlock " + when).isEqualTo("connected");
        assertThat(run(lab, from, "fd00:206::ff", w.get(1), "8080")).as("from its except " + when).startsWith("failed");
    }

    private static String run(NetworkNamespace from, Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", from.name(), "python3", script.toString()));
        cmd.addAll(List.of(args));
        return NetworkNamespace.Shell.runQuietly(cmd.toArray(String[]::new)).trim();
    }
}
