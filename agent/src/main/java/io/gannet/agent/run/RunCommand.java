package io.gannet.agent.run;

import io.gannet.agent.control.server.ControlServerConfig;
import io.gannet.agent.logging.AsyncLogSink;
import io.gannet.agent.logging.EventLog;
import io.gannet.agent.logging.LogFormat;
import io.gannet.agent.logging.StreamLogSink;
import io.gannet.topology.ProfileException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gannet run}: the daemon, in the foreground. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the Gannet daemon in the foreground for one host of a topology profile.",
            "SIGHUP re-reads the profile (like 'gannet reload'); SIGTERM stops: with graceful restart",
            "configured, peers keep our routes until we are back; otherwise each peer gets a Cease."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "Topology profile (YAML).")
    Path profile;

    @Option(names = "--node", required = true, description = "This host's name in the profile's inventory.")
    String node;

    @Option(names = "--state-dir", defaultValue = "/var/lib/gannet", description = "State kept across restarts (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--socket", description = "Control API Unix socket (default: /run/gannet/gannet.sock, env GANNET_SOCKET).")
    Path socket;

    @Option(names = "--control-port", paramLabel = "PORT", description = {
        "Also serve the control API on 127.0.0.1:PORT.",
        "Every request there needs a bearer token from",
        "--control-tokens: 401 without a valid one,",
        "403 for a read token's command."})
    Integer controlPort;

    @Option(names = "--control-tokens", paramLabel = "FILE", description = {
        "Tokens of --control-port, one per line:",
        "NAME read|write TOKEN (32+ characters, e.g.",
        "openssl rand -hex 32). Owned by the daemon's",
        "user, mode 0600 or 0400, or the start is refused."})
    Path controlTokens;

    @Option(names = "--control-group", paramLabel = "GROUP", description = {
        "Group of the control socket (mode 0660): its",
        "members may use every command."})
    String controlGroup;

    @Option(names = "--metrics", description = "Serve /metrics on HOST:PORT (e.g. 127.0.0.1:9324).")
    String metrics;

    @Option(names = "--services-dir", description = {"Directory of Kubernetes Service and EndpointSlice YAML:",
        "runs the eBPF Service datapath (needs root and bpffs) and follows changes."})
    Path servicesDir;

    @Option(names = "--kube-api", paramLabel = "KUBECONFIG|in-cluster", description = {"Take Services and EndpointSlices from the",
        "Kubernetes API instead of --services-dir: a kubeconfig file, or in-cluster (the pod's service",
        "account). Watched with informers, rate limited, backing off with jitter while the API is away."})
    String kubeApi;

    @Option(names = "--kube-api-policy", description = {"Enforce network policy with NetworkPolicy, CiliumNetworkPolicy,",
        "this node's Pod and the Namespace objects of the Kubernetes API (instead of --policy-dir); needs --kube-api."})
    boolean kubeApiPolicy;

    @Option(names = "--policy-dir", description = {"Directory of NetworkPolicy and CiliumNetworkPolicy YAML, with the Pod and",
        "Namespace objects whose labels they select on (kubectl get pod,ns -o yaml): enforces",
        "ingress policy on the pods the CNI plugin wires (needs root and bpffs); follows changes."})
    Path policyDir;

    @Option(names = "--bpf-pin-root", defaultValue = "/sys/fs/bpf/gannet", description = "Where the datapath pins maps and programs (default: ${DEFAULT-VALUE}).")
    Path bpfPinRoot;

    @Option(names = "--host-device", description = "Attach the host program (externalIP DNAT) to this device; repeatable.")
    java.util.List<String> hostDevices = new java.util.ArrayList<>();

    @Option(names = "--xdp", paramLabel = "native|generic", description = {"Also give the --host-devices the XDP fast path (externalIPs,",
        "load-balancer IPs and node ports with externalTrafficPolicy Local, and an L4LB host's VIPs, IPv4 and IPv6, translated before the",
        "kernel makes an skb): native on NICs whose driver has XDP, generic on any device. Needs --host-device."})
    String xdp;

    @Option(names = "--socket-lb-cgroup", paramLabel = "DIR", description = {"Send the connections this node's own processes in this cgroup v2",
        "directory (and below) make to Services to a backend at connect() (kube-proxy serves them in",
        "OUTPUT): /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host, for every process. Needs --services-dir."})
    Path socketLbCgroup;

    @Option(names = "--conntrack-max", paramLabel = "N", defaultValue = "0", description = {"Entries of the datapath's conntrack table",
        "(65536 to 4194304); default: sized from the node's memory (0.25%% of it)."})
    int conntrackMax;

    @Option(names = "--etcd", paramLabel = "URLS", description = {"Keep cluster state (PodCIDR blocks, fixed IPs; on L4LB hosts the VIPs'",
        "Maglev slots, agreed among them) in etcd at these client URLs (http://HOST:PORT, comma separated);",
        "default: a file store under --state-dir (L4LB hosts: plain Maglev)."})
    String etcd;

    @Option(names = "--cni-socket", description = {"Run the node's pod networking: serve the CNI plugin (/opt/cni/bin/gannet) here",
        "(e.g. /run/gannet/cni.sock), pod addresses from the node's PodCIDR, pod routes in the kernel."})
    Path cniSocket;

    @Option(names = "--fib", description = "Install the routes BGP selects (best path or ECMP set) into the kernel's main table.")
    boolean fib;

    @Option(names = "--exabgp-socket", description = "Serve the ExaBGP-compatible text API (announce/withdraw route lines) on this Unix socket.")
    Path exabgpSocket;

    @Option(names = "--exabgp-process", description = {"Run a health-check script the way ExaBGP runs a process:",
        "NAME=COMMAND [ARGS]; its stdout lines are API commands, acks go to its stdin; repeatable."})
    java.util.List<String> exabgpProcesses = new java.util.ArrayList<>();

    @Option(names = "--log-format", defaultValue = "logfmt", description = "logfmt or json (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        LogFormat format;
        InetSocketAddress metricsAddress;
        try {
            format = LogFormat.parse(logFormat);
            metricsAddress = metrics == null ? null : hostPort(metrics);
        } catch (IllegalArgumentException e) {
            System.err.println("gannet run: " + e.getMessage());
            return 2;
        }
        try {
            io.gannet.bpf.DatapathOptions.defaults().withConntrackMax(conntrackMax); // the datapath's own bounds
        } catch (IllegalArgumentException e) {
            System.err.println("gannet run: --conntrack-max: " + e.getMessage());
            return 2;
        }
        if (kubeApi != null && servicesDir != null) {
            System.err.println("gannet run: --kube-api and --services-dir are two sources of the same Services: give one");
            return 2;
        }
        if (kubeApiPolicy && (kubeApi == null || policyDir != null)) {
            System.err.println("gannet run: --kube-api-policy reads network policy from the Kubernetes API: it needs --kube-api,"
                    + " and replaces --policy-dir");
            return 2;
        }
        if (socketLbCgroup != null && servicesDir == null && kubeApi == null) {
            System.err.println("gannet run: --socket-lb-cgroup sends connections to Services' backends: it needs --services-dir or --kube-api");
            return 2;
        }
        if (xdp != null && !xdp.equals("native") && !xdp.equals("generic")) {
            System.err.println("gannet run: --xdp is native (the NIC driver's XDP) or generic (any device), not " + xdp);
            return 2;
        }
        if (xdp != null && hostDevices.isEmpty()) {
            System.err.println("gannet run: --xdp gives the host devices the XDP fast path: it needs --host-device");
            return 2;
        }
        if (controlTokens != null && controlPort == null) {
            System.err.println("gannet run: --control-tokens is for --control-port; without a port it would be ignored");
            return 2;
        }
        Path controlSocket = socket != null ? socket
                : System.getenv("GANNET_SOCKET") != null ? Path.of(System.getenv("GANNET_SOCKET"))
                : ControlServerConfig.DEFAULT_SOCKET;
        InetSocketAddress controlTcp = controlPort == null ? null : new InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort);
        AsyncLogSink sink = new AsyncLogSink(new StreamLogSink(System.out), 10_000);
        EventLog log = new EventLog(sink, format, InstantSource.system());
        Daemon daemon;
        try {
            ControlAccess access = ControlAccess.read(controlTcp != null, controlTokens, controlGroup);
            daemon = Daemon.start(new DaemonOptions(profile, node, stateDir, controlSocket, controlTcp, metricsAddress,
                    servicesDir, bpfPinRoot, hostDevices, etcd, cniSocket, fib, exabgpSocket, exabgpProcesses, policyDir,
                    socketLbCgroup, conntrackMax, kubeApi, kubeApiPolicy, xdp), log, access);
        } catch (ProfileException e) {
            System.err.println(e.getMessage());
            log.startFailed(node, e.getMessage());
            sink.close();
            return 1;
        } catch (RuntimeException | java.io.IOException e) {
            System.err.println("gannet run: cannot start: " + e.getMessage());
            log.startFailed(node, e.getMessage());
            sink.close();
            return 1;
        }
        Thread hook = new Thread(() -> {
            daemon.close();
            sink.close();
        }, "gannet-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Signals.onHangup(() -> {
            try {
                daemon.reload();
            } catch (RuntimeException e) {
                log.operatorAction("reload", node, "failed: " + e.getMessage());
            }
        });
        daemon.awaitStop();
        return 0;
    }

    static InetSocketAddress hostPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + text + "'");
        }
        return new InetSocketAddress(host, port);
    }
}
