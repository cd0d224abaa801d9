import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathFixture;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.Packets;
import io.gannet.bpf.lb.ApplyResult;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.libbpf.Native;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.linux.LibC;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Gannet datapath benchmarks (not unit tests): run by bench/bpf/run.sh.
 *
 *  1. per-packet cost by BPF_PROG_TEST_RUN with 10, 1,000 and 20,000 services;
 *  2. programming 20,000 services with 100,000 backends from scratch;
 *  3. new-connection latency through the BPF path vs kube-proxy-style iptables DNAT
 *     (one KUBE-SVC chain per service, statistic-mode random rules) for 20,000 services,
 *     in namespaces, same run, reported as a ratio.
 */
public final class DatapathBench {
    static final int BACKENDS_PER_SERVICE = 5;

    static String vip(int i) {
        int n = i + 1;
        return "10.96." + (n >> 8) + "." + (n & 0xff);
    }

    /** Unique fake backend addresses 10.64.0.0/10 for the programming benchmark. */
    static Backend fakeBackend(int i) {
        int a = (10 << 24) | (64 << 16) | (i + 1);
        return new Backend(a, 8080);
    }

    static List<ServiceSpec> services(int n, boolean uniqueBackends, List<Backend> shared) {
        List<ServiceSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Backend> bs = new ArrayList<>(BACKENDS_PER_SERVICE);
            for (int j = 0; j < BACKENDS_PER_SERVICE; j++) {
                bs.add(uniqueBackends ? fakeBackend(i * BACKENDS_PER_SERVICE + j) : shared.get(j));
            }
            out.add(new ServiceSpec("bench/svc-" + i, Frontend.of(vip(i), 80, Protocol.TCP), false,
                    ServiceSpec.Algorithm.RANDOM, bs));
        }
        return out;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static double pct(double[] v, double p) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[Math.min(c.length - 1, (int) (c.length * p))];
    }

    public static void main(String[] args) throws Exception {
        int repeat = Integer.parseInt(System.getProperty("bench.calls", "20000"));
        int conns = Integer.parseInt(System.getProperty("bench.connections", "2000"));
        int latencyServices = Integer.parseInt(System.getProperty("bench.latencyServices", "20000"));
        System.out.println("# Gannet bpf bench, kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim()
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        String parts = System.getProperty("bench.parts", "packet,program,latency");
        if (parts.contains("packet")) {
            perPacket(repeat);
        }
        if (parts.contains("program")) {
            programming();
        }
        if (parts.contains("latency")) {
            latency(conns, latencyServices);
        }
    }

    // ---- 1. per-packet cost ----
    /**
     * Mean ns/packet over {@code calls} BPF_PROG_TEST_RUN calls with repeat=1. Translating
     * paths rewrite the packet, and the kernel repeats on the same skb, so a repeat count
     * would time the translation once and then the no-service path; one run per call
     * times the real path each time (plus one ktime read, also in the baseline).
     */
    static double perCall(BpfProgram prog, byte[] pkt, int calls) {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += prog.testRun(pkt, 1).meanNanos();
        }
        return (double) sum / calls;
    }

    /** A TC program that only returns TC_ACT_OK: the test-run harness's own cost. */
    static double harnessBaseline(int calls) throws Exception {
        Path dir = Files.createTempDirectory("bench-empty");
        Path src = dir.resolve("empty.c");
        Files.writeString(src, "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                + "SEC(\"tc\") int empty(struct __sk_buff *skb) { return 0; }\nchar _license[] SEC(\"license\") = \"GPL\";\n");
        Path obj = dir.resolve("empty.o");
        NetworkNamespace.Shell.run("clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src.toString(),
                "-o", obj.toString());
        try (io.gannet.bpf.libbpf.BpfObject o = io.gannet.bpf.libbpf.BpfObject.load(obj, null)) {
            byte[] pkt = Packets.build(Packets.tcp("10.1.0.5", 20000, "10.96.0.1", 80, Packets.TCP_ACK));
            double[] r = new double[7];
            for (int i = 0; i < 7; i++) {
                r[i] = perCall(o.program("empty"), pkt, calls);
            }
            return median(r);
        } finally {
            Files.deleteIfExists(obj);
            Files.deleteIfExists(src);
            Files.deleteIfExists(dir);
        }
    }

    static void perPacket(int calls) throws Exception {
        System.out.println("\n## per-packet cost (BPF_PROG_TEST_RUN repeat=1, from_pod, mean ns/packet over " + calls
                + " calls, median of 7 rounds, each round a random service)");
        double harness = harnessBaseline(calls);
        System.out.printf("harness baseline (empty TC program): %.1f ns/packet (included in the figures below)%n", harness);
        System.out.println("services | new flow (SYN) | ct-hit DNAT | reverse NAT | no service (pass)");
        double base = 0;
        for (int n : new int[] {10, 1000, 20000}) {
            Path pins = DatapathFixture.uniquePinRoot();
            try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins).withObjectDir(DatapathFixture.objects()))) {
                dp.applyServices(services(n, true, null));
                BpfProgram prog = dp.program(Datapath.FROM_POD);
                Random rnd = new Random(1);
                double[] syn = new double[7];
                double[] hit = new double[7];
                double[] rev = new double[7];
                double[] pass = new double[7];
                for (int r = 0; r < 7; r++) {
                    String v = vip(rnd.nextInt(n));
                    int sport = 20000 + r;
                    // new flows: a SYN from a fresh source port each call
                    long sum = 0;
                    for (int i = 0; i < calls; i++) {
                        int p = 1024 + (r * calls + i) % 60000;
                        sum += prog.testRun(Packets.build(Packets.tcp("10.1." + (r + 1) + "." + (1 + i / 60000), p, v, 80,
                                Packets.TCP_SYN)), 1).meanNanos();
                    }
                    syn[r] = (double) sum / calls;
                    byte[] first = Packets.build(Packets.tcp("10.1.0.5", sport, v, 80, Packets.TCP_SYN));
                    String backend = Ipv4.format(java.nio.ByteBuffer.wrap(prog.testRun(first, 1).packet()).getInt(30));
                    hit[r] = perCall(prog, Packets.build(Packets.tcp("10.1.0.5", sport, v, 80, Packets.TCP_ACK)), calls);
                    rev[r] = perCall(prog, Packets.build(Packets.tcp(backend, 8080, "10.1.0.5", sport, Packets.TCP_ACK)), calls);
                    pass[r] = perCall(prog, Packets.build(Packets.tcp("10.1.0.5", sport, "10.97.0.1", 80, Packets.TCP_ACK)), calls);
                    dp.conntrack().deleteAll(List.copyOf(dp.conntrack().snapshot().keySet()));
                }
                double h = median(hit);
                if (n == 10) {
                    base = h;
                }
                System.out.printf("%8d | %14.1f | %11.1f | %11.1f | %10.1f   (ct-hit vs 10 services: %+.1f%%)%n", n, median(syn), h,
                        median(rev), median(pass), 100.0 * (h - base) / base);
            } finally {
                Datapath.removePins(pins);
            }
        }
    }

    // ---- 2. programming ----
    static void programming() {
        System.out.println("\n## programming 20,000 services x 5 = 100,000 backends from scratch");
        Path pins = DatapathFixture.uniquePinRoot();
        try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins).withObjectDir(DatapathFixture.objects()))) {
            List<ServiceSpec> desired = services(20000, true, null);
            long t0 = System.nanoTime();
            ApplyResult r = dp.applyServices(desired);
            long t1 = System.nanoTime();
            ApplyResult again = dp.applyServices(desired);
            long t2 = System.nanoTime();
            System.out.printf("from scratch: %.2f s (%s)%n", (t1 - t0) / 1e9, r);
            System.out.printf("re-apply unchanged (idempotent no-op): %.3f s, changed=%s%n", (t2 - t1) / 1e9, again.changed());
        } finally {
            Datapath.removePins(pins);
        }
        // restart re-adoption cost
        Path pins2 = DatapathFixture.uniquePinRoot();
        try {
            try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins2).withObjectDir(DatapathFixture.objects()))) {
                dp.applyServices(services(20000, true, null));
            }
            long t0 = System.nanoTime();
            try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins2).withObjectDir(DatapathFixture.objects()))) {
                ApplyResult r = dp.applyServices(services(20000, true, null));
                System.out.printf("agent restart: open + re-adopt + reconcile 20,000 services: %.2f s (changed=%s)%n",
                        (System.nanoTime() - t0) / 1e9, r.changed());
            }
        } finally {
            Datapath.removePins(pins2);
        }
    }

    // ---- 3. connection latency, BPF vs iptables ----
    static ExecutorService inNetns(String name) {
        return Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().unstarted(() -> {
            LibC libc = Native.get().libc();
            int fd = libc.open(Netns.named(name), LibC.O_RDONLY);
            if (fd < 0 || libc.setns(fd, LibC.CLONE_NEWNET) != 0) {
                throw new IllegalStateException("setns " + name);
            }
            libc.close(fd);
            r.run();
        }));
    }

    static double[] connectLatencies(ExecutorService client, int n, int services, long seed) throws Exception {
        return client.submit(() -> {
            Random rnd = new Random(seed);
            double[] us = new double[n];
            for (int i = -100; i < n; i++) { // 100 warm-up connections
                String v = vip(rnd.nextInt(services));
                try (Socket s = new Socket()) {
                    s.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up
                    long t0 = System.nanoTime();
                    s.connect(new InetSocketAddress(v, 80), 3000);
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        us[i] = (t1 - t0) / 1e3;
                    }
                }
            }
            return us;
        }).get();
    }

    static void latency(int conns, int n) throws Exception {
        System.out.println("\n## new-connection latency, " + n + " services, " + conns + " connect() calls to random services");
        if (Requirements.find("iptables-restore") == null) {
            System.out.println("iptables-restore not installed: apt-get install -y iptables; skipping the comparison");
            return;
        }
        NetworkNamespace node = NetworkNamespace.create("bnode");
        NetworkNamespace cli = NetworkNamespace.create("bcli");
        NetworkNamespace srv = NetworkNamespace.create("bsrv");
        Path pins = DatapathFixture.uniquePinRoot();
        ExecutorService client = inNetns(cli.name());
        ExecutorService server = inNetns(srv.name());
        ServerSocket ss = null;
        Datapath dp = null;
        try {
            node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            node.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
            node.exec("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0");
            node.linkTo(cli, "lxccli", "10.200.1.1/24", "eth0", "10.200.1.2/24");
            node.linkTo(srv, "lxcsrv", "10.200.2.1/24", "eth0", "10.200.2.2/24");
            cli.exec("ip", "route", "add", "default", "via", "10.200.1.1");
            srv.exec("ip", "route", "add", "default", "via", "10.200.2.1");
            List<Backend> real = new ArrayList<>();
            for (int j = 0; j < BACKENDS_PER_SERVICE; j++) {
                String a = "10.200.2." + (2 + j);
                if (j > 0) {
                    srv.exec("ip", "addr", "add", a + "/24", "dev", "eth0");
                }
                real.add(Backend.of(a, 8080));
            }
            ss = server.submit(() -> {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress("0.0.0.0", 8080), 4096);
                return s;
            }).get();
            ServerSocket fss = ss;
            Thread.ofPlatform().daemon().start(() -> {
                while (!fss.isClosed()) {
                    try {
                        fss.accept().close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            List<ServiceSpec> desired = services(n, false, real);

            // BPF
            dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins).withObjectDir(DatapathFixture.objects())
                    .withNetns(Netns.named(node.name())));
            dp.attachPod("lxccli", "10.200.1.2");
            // Backends share one namespace with five addresses, so lxcsrv gets no from_pod (its
            // source check allows one pod address); replies are reverse-NATed by to_pod on lxccli.
            long t0 = System.nanoTime();
            dp.applyServices(desired);
            System.out.printf("BPF programming of the same %d services: %.2f s%n", n, (System.nanoTime() - t0) / 1e9);
            double[] bpf = connectLatencies(client, conns, n, 42);
            // Connect-time: the same services translated at connect() by the cgroup hooks (for the
            // client namespace's sockets, in this JVM's cgroup), so the SYN leaves for the backend
            // with no DNAT; from_pod and to_pod stay attached and only track the flow.
            Path cgroup = ownCgroup();
            double[] sock = null;
            if (cgroup != null) {
                dp.socketLb().attach(cgroup, Netns.named(cli.name()));
                try {
                    sock = connectLatencies(client, conns, n, 42);
                } finally {
                    dp.socketLb().detach();
                }
            }
            // BPF first: the iptables phase leaves netfilter conntrack state behind
            dp.detachPod("lxccli");
            dp.close();
            dp = null;

            // iptables, kube-proxy style
            Path rules = Files.createTempFile("kube-proxy-rules", ".txt");
            StringBuilder sb = new StringBuilder("*nat\n:KUBE-SERVICES - [0:0]\n");
            for (int i = 0; i < n; i++) {
                sb.append(":KUBE-SVC-").append(i).append(" - [0:0]\n");
                for (int j = 0; j < BACKENDS_PER_SERVICE; j++) {
                    sb.append(":KUBE-SEP-").append(i).append('-').append(j).append(" - [0:0]\n");
                }
            }
            sb.append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
            for (int i = 0; i < n; i++) {
                sb.append("-A KUBE-SERVICES -d ").append(vip(i)).append("/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-").append(i).append('\n');
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < BACKENDS_PER_SERVICE; j++) {
                    sb.append("-A KUBE-SVC-").append(i);
                    int left = BACKENDS_PER_SERVICE - j;
                    if (left > 1) {
                        sb.append(String.format(" -m statistic --mode random --probability %.11f", 1.0 / left));
                    }
                    sb.append(" -j KUBE-SEP-").append(i).append('-').append(j).append('\n');
                }
                for (int j = 0; j < BACKENDS_PER_SERVICE; j++) {
                    Backend b = real.get(j);
                    sb.append("-A KUBE-SEP-").append(i).append('-').append(j).append(" -p tcp -m tcp -j DNAT --to-destination ")
                            .append(Ipv4.format(b.addr())).append(':').append(b.port()).append('\n');
                }
            }
            sb.append("COMMIT\n");
            Files.writeString(rules, sb.toString());
            t0 = System.nanoTime();
            node.exec("sh", "-c", "iptables-restore < " + rules);
            System.out.printf("iptables-restore of %d services (%d rules): %.1f s%n", n, n * (1 + 2 * BACKENDS_PER_SERVICE),
                    (System.nanoTime() - t0) / 1e9);
            Files.delete(rules);
            double[] ipt = connectLatencies(client, conns, n, 42);
            node.exec("iptables", "-t", "nat", "-F");
            node.exec("iptables", "-t", "nat", "-X");

            System.out.println("path     | median us | p90 us | p99 us");
            System.out.printf("iptables | %9.1f | %6.1f | %6.1f%n", median(ipt), pct(ipt, 0.9), pct(ipt, 0.99));
            System.out.printf("bpf      | %9.1f | %6.1f | %6.1f%n", median(bpf), pct(bpf, 0.9), pct(bpf, 0.99));
            if (sock != null) {
                System.out.printf("bpf at connect() | %9.1f | %6.1f | %6.1f%n", median(sock), pct(sock, 0.9), pct(sock, 0.99));
                System.out.printf("ratio per-packet/connect-time (median): %.2fx%n", median(bpf) / median(sock));
            } else {
                System.out.println("bpf at connect(): no cgroup v2 mount, not measured");
            }
            System.out.printf("ratio iptables/bpf (median): %.1fx, (p99): %.1fx%n", median(ipt) / median(bpf),
                    pct(ipt, 0.99) / pct(bpf, 0.99));
        } finally {
            if (dp != null) {
                dp.close();
            }
            if (ss != null) {
                ss.close();
            }
            client.shutdownNow();
            server.shutdownNow();
            node.close();
            cli.close();
            srv.close();
            Datapath.removePins(pins);
        }
    }

    /** This process's cgroup v2 directory (/proc/self/cgroup's "0::" line under the cgroup2 mount), or null. */
    static Path ownCgroup() throws IOException {
        Path mount = io.gannet.linux.Cgroup2.mount();
        if (mount == null) {
            return null;
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) {
                return mount.resolve(line.substring(3).replaceFirst("^/", ""));
            }
        }
        return null;
    }

    /** PATH lookup without the JUnit-based Requirements helper. */
    static final class Requirements {
        static Path find(String cmd) {
            for (String d : (System.getenv("PATH") + ":/usr/sbin:/sbin").split(":")) {
                Path p = Path.of(d, cmd);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
            return null;
        }
    }
}
