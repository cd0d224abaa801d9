package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.policy.IngressEntry;
import io.gannet.bpf.policy.PolicyFeature;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's side-by-side (bench/policy/README.md): the same ingress rules as Gannet's policy
 * stage, as an iptables chain and as an ipset, on one path through the kernel, in one run.
 *
 * <p>Three namespaces the test creates: a client, a node that forwards, a pod behind a veth.
 * Each request is a new UDP flow (a fresh socket) from the client to an echo server in the pod,
 * answered: the time per request is the path's round trip, and what a policy adds to it is the
 * cost of judging one new flow (the answer of an allowed flow is known: conntrack in both
 * cases). Rule sets of 10, 10,000 and 100,000 entries, the one that admits the client last in
 * the iptables chain (its worst and common case: rules are appended), inside the ipset, and
 * among the others in dp_policy4 (one endpoint's entries, their sources in dp_ipcache4):
 * <ul>
 *   <li>iptables: FORWARD jumps to a chain of {@code -s SRC -d POD -p udp --dport PORT -j ACCEPT}
 *       rules after {@code --ctstate ESTABLISHED,RELATED -j ACCEPT}, then DROP (stateful, as
 *       iptables-based policy engines are);</li>
 *   <li>ipset: one {@code hash:ip,port,ip} set of the same (source, port, destination) triples
 *       and one rule matching it, same conntrack rule and DROP;</li>
 *   <li>Gannet: to_pod on the pod's veth, the same triples as identity entries.</li>
 * </ul>
 * Prints the figures (median of three runs of 1,500 new flows each); asserts every request was
 * answered. The client is Python: its own cost per request is in every figure alike.
 */
class PolicyPathBenchTest {
    static final String POD = "10.77.1.2";
    static final String CLIENT = "10.77.2.2";
    static final int PORT = 6379;
    static final int[] SIZES = {10, 10_000, 100_000};
    /** Distinct sources (dp_ipcache4 holds 65,536): rule i admits source(i) to port(i), each pair once. */
    static final int SOURCES = 50_000;

    static String source(int i) {
        return Ipv4.format(Ipv4.parse("10.8.0.0") + i % SOURCES);
    }

    static int port(int i) {
        return 1024 + i / SOURCES;
    }

    static final String ECHO_PY = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", %d))
            while True:
                d, a = s.recvfrom(2048)
                s.sendto(d, a)
            """.formatted(PORT);

    /**
     * argv: address, port, first source port, count. Each request leaves from a source port no
     * earlier request used, so it is a new flow for conntrack and for policy (a reused tuple would
     * be a conntrack hit and skip the rules). Prints "requests mean_ns failures".
     */
    static final String CLIENT_PY = """
            import socket, sys, time
            dst = (sys.argv[1], int(sys.argv[2])); first = int(sys.argv[3]); count = int(sys.argv[4])
            fail = 0
            t0 = time.perf_counter_ns()
            for p in range(first, first + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("0.0.0.0", p))
                s.settimeout(1.0)
                s.sendto(b"x" * 32, dst)
                try:
                    s.recv(64)
                except socket.timeout:
                    fail += 1
                s.close()
            print(count, (time.perf_counter_ns() - t0) // count, fail)
            """;

    /** Source ports: each measurement run takes the next REQUESTS of them, never reused in a test. */
    static final int REQUESTS = 1500;
    private int nextPort = 10_000;

    @Test
    void gannetAgainstAnIptablesChainAndAnIpsetOfTheSameRules() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("iptables-restore");
        Requirements.requireCommand("ipset");
        Requirements.requireCommand("/usr/bin/python3");
        Path dir = Files.createTempDirectory("gannet-policy-path");
        Path pinRoot = DatapathFixture.uniquePinRoot();
        List<NetworkNamespace> made = new ArrayList<>();
        List<Process> servers = new ArrayList<>();
        String set = "gt-pol-" + ProcessHandle.current().pid();
        try {
            NetworkNamespace node = NetworkNamespace.create("pbnode");
            made.add(node);
            NetworkNamespace pod = NetworkNamespace.create("pbpod");
            made.add(pod);
            NetworkNamespace client = NetworkNamespace.create("pbcli");
            made.add(client);
            node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            node.linkTo(pod, "lxcpb", "10.77.1.1/24", "eth0", POD + "/24");
            node.linkTo(client, "uplink", "10.77.2.1/24", "eth0", CLIENT + "/24");
            pod.exec("ip", "route", "add", "default", "via", "10.77.1.1");
            client.exec("ip", "route", "add", "10.77.1.0/24", "via", "10.77.2.1");
            Path echo = Files.writeString(dir.resolve("echo.py"), ECHO_PY);
            Path ask = Files.writeString(dir.resolve("client.py"), CLIENT_PY);
            servers.add(pod.start("/usr/bin/python3", echo.toString()));
            Thread.sleep(300);

            StringBuilder report = new StringBuilder("per request (new UDP flow, answered), median of 3:\n");
            long base = measure(client, ask, "no policy", report);

            Map<String, long[]> rows = new HashMap<>();
            long gannetBase = 0;
            for (int n : SIZES) {
                // iptables chain
                Path rules = dir.resolve("rules-" + n);
                StringBuilder r = new StringBuilder("*filter\n:GT-POL - [0:0]\n");
                r.append("-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n");
                r.append("-A FORWARD -d ").append(POD).append("/32 -j GT-POL\n");
                for (int i = 0; i < n - 1; i++) {
                    r.append("-A GT-POL -s ").append(source(i)).append("/32 -d ").append(POD)
                            .append("/32 -p udp -m udp --dport ").append(port(i)).append(" -j ACCEPT\n");
                }
                r.append("-A GT-POL -s ").append(CLIENT).append("/32 -d ").append(POD).append("/32 -p udp -m udp --dport ")
                        .append(PORT).append(" -j ACCEPT\n-A GT-POL -j DROP\nCOMMIT\n");
                Files.writeString(rules, r);
                long t0 = System.nanoTime();
                node.exec("iptables-restore", rules.toString());
                long loadMs = (System.nanoTime() - t0) / 1_000_000;
                long ipt = measure(client, ask, String.format("iptables chain, %,d rules (loaded in %,d ms)", n, loadMs), report);
                node.exec("iptables", "-F");
                node.exec("iptables", "-X");

                // ipset
                Path setFile = dir.resolve("set-" + n);
                StringBuilder s = new StringBuilder("create " + set + " hash:ip,port,ip maxelem " + Math.max(65536, 2 * n) + "\n");
                for (int i = 0; i < n - 1; i++) {
                    s.append("add ").append(set).append(' ').append(source(i)).append(",udp:")
                            .append(port(i)).append(',').append(POD).append('\n');
                }
                s.append("add ").append(set).append(' ').append(CLIENT).append(",udp:").append(PORT).append(',').append(POD).append('\n');
                Files.writeString(setFile, s);
                node.exec("ipset", "restore", "-file", setFile.toString());
                node.exec("iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
                node.exec("iptables", "-A", "FORWARD", "-d", POD + "/32", "-m", "set", "--match-set", set, "src,dst,dst", "-j", "ACCEPT");
                node.exec("iptables", "-A", "FORWARD", "-d", POD + "/32", "-j", "DROP");
                long ips = measure(client, ask, String.format("ipset, %,d entries, one rule", n), report);
                node.exec("iptables", "-F");
                node.exec("ipset", "destroy", set);

                // Gannet: to_pod with the same triples as identity entries
                long gan;
                try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot).withNetns(Netns.named(node.name())))) {
                    int ifindex = dp.attachPod("lxcpb", POD);
                    if (n == SIZES[0]) {
                        gannetBase = measure(client, ask, "Gannet datapath attached, no policy", report);
                    }
                    PolicyFeature policy = dp.policyFeature();
                    Map<IpcacheKey, Integer> ipcache = new HashMap<>();
                    List<IngressEntry> entries = new ArrayList<>();
                    for (int i = 0; i < n - 1; i++) {
                        ipcache.put(new IpcacheKey(32, Ipv4.parse(source(i))), 1000 + i % SOURCES);
                        entries.add(new IngressEntry(1000 + i % SOURCES, 17, port(i), 16, false, 1));
                    }
                    ipcache.put(new IpcacheKey(32, Ipv4.parse(CLIENT)), 999);
                    entries.add(new IngressEntry(999, 17, PORT, 16, false, 2));
                    policy.applyIpcache(ipcache);
                    policy.apply(ifindex, true, entries);
                    gan = measure(client, ask, String.format("Gannet to_pod, %,d entries", n), report);
                    assertThat(policy.metrics().get(io.gannet.bpf.policy.PolicyReason.DROP_DEFAULT_DENY)).isZero();
                }
                Datapath.removePins(pinRoot);
                rows.put(Integer.toString(n), new long[] {ipt, ips, gan});
            }
            report.append("added to a request by the policy (iptables and ipset minus 'no policy', Gannet minus its datapath without policy):\n");
            for (int n : SIZES) {
                long[] v = rows.get(Integer.toString(n));
                report.append(String.format("  %,7d: iptables %,d ns, ipset %,d ns, Gannet %,d ns%n", n, v[0] - base, v[1] - base,
                        v[2] - gannetBase));
            }
            long[] at10k = rows.get("10000");
            report.append(String.format("at 10,000 per request: iptables/Gannet %.1fx, ipset/Gannet %.2fx%n",
                    (double) at10k[0] / at10k[2], (double) at10k[1] / at10k[2]));
            System.out.println(report);
        } finally {
            servers.forEach(Process::destroyForcibly);
            for (int i = made.size() - 1; i >= 0; i--) {
                made.get(i).close(); // the set and the rules live in the node's namespace and go with it
            }
            Datapath.removePins(pinRoot);
        }
    }

    /** Median of three runs of REQUESTS new flows each; every request must have been answered. */
    private long measure(NetworkNamespace client, Path ask, String what, StringBuilder report) throws IOException, InterruptedException {
        long[] means = new long[3];
        for (int i = 0; i < 3; i++) {
            Process p = client.start("taskset", "-c", "0", "/usr/bin/python3", ask.toString(), POD, Integer.toString(PORT),
                    Integer.toString(nextPort), Integer.toString(REQUESTS));
            nextPort += REQUESTS;
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String[] f = out.split("\\s+");
            assertThat(f).as(what + ": " + out).hasSize(3);
            assertThat(Integer.parseInt(f[2])).as(what + ": requests not answered").isZero();
            means[i] = Long.parseLong(f[1]);
        }
        Arrays.sort(means);
        report.append(String.format("  %-58s %,9d ns  (3 x %,d new flows)%n", what, means[1], REQUESTS));
        return means[1];
    }
}
