package io.gannet.agent.run;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How {@code gannet run} was asked to run.
 *
 * @param profile        the topology profile file
 * @param node           this host's name in the profile's inventory
 * @param stateDir       where the daemon keeps state across restarts (graceful-restart marker)
 * @param controlSocket  the control API's Unix socket
 * @param controlTcp     optional loopback TCP address for the control API, or null
 * @param metricsAddress optional TCP address for {@code /metrics}, or null
 * @param kubeApi        "in-cluster" or a kubeconfig file: Services and EndpointSlices from the Kubernetes API
 *                       instead of a directory; null: none
 * @param kubeApiPolicy  network policy from the Kubernetes API (NetworkPolicy, CiliumNetworkPolicy, Pods,
 *                       Namespaces) instead of --policy-dir; needs kubeApi
 * @param servicesDir    Kubernetes Service/EndpointSlice YAML to program into the eBPF
 *                       datapath, or null to run without a datapath
 * @param bpfPinRoot     where the datapath pins its maps and programs
 * @param hostDevices    devices that get the host program (externalIP DNAT)
 * @param etcdUrls       etcd client URLs (comma separated) for the cluster store, or null for
 *                       the file store under {@code stateDir/store}
 * @param cniSocket      where the CNI backend serves /opt/cni/bin/gannet (pod networking on), or null
 * @param fib            install the routes BGP selects into the kernel's main table
 * @param exabgpSocket   Unix socket of the ExaBGP-compatible text API, or null
 * @param exabgpProcesses health-check scripts run as ExaBGP runs its processes ("NAME=COMMAND ARGS")
 * @param policyDir      watched directory of NetworkPolicy / CiliumNetworkPolicy / Pod / Namespace YAML
 *                       (ingress policy in the datapath), or null
 * @param socketLbCgroup cgroup v2 directory whose processes' connections to Services are sent to a
 *                       backend at connect() (socket-level load balancing of the node's own
 *                       sockets), or null
 * @param conntrackMax   entries of the datapath's conntrack table; 0 = sized from the node's memory
 * @param xdp            "native" or "generic": the host devices also get the XDP fast path in that mode;
 *                       null: none (a fast path an earlier run attached is detached)
 */
public record DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket,
                            InetSocketAddress controlTcp, InetSocketAddress metricsAddress,
                            Path servicesDir, Path bpfPinRoot, List<String> hostDevices, String etcdUrls,
                            Path cniSocket, boolean fib, Path exabgpSocket, List<String> exabgpProcesses, Path policyDir,
                            Path socketLbCgroup, int conntrackMax, String kubeApi, boolean kubeApiPolicy, String xdp) {
    /** Without the XDP fast path. */
    public DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket, InetSocketAddress controlTcp,
                         InetSocketAddress metricsAddress, Path servicesDir, Path bpfPinRoot, List<String> hostDevices, String etcdUrls,
                         Path cniSocket, boolean fib, Path exabgpSocket, List<String> exabgpProcesses, Path policyDir,
                         Path socketLbCgroup, int conntrackMax, String kubeApi, boolean kubeApiPolicy) {
        this(profile, node, stateDir, controlSocket, controlTcp, metricsAddress, servicesDir, bpfPinRoot, hostDevices, etcdUrls,
                cniSocket, fib, exabgpSocket, exabgpProcesses, policyDir, socketLbCgroup, conntrackMax, kubeApi, kubeApiPolicy, null);
    }

    /** Services from --services-dir (or none), not from the Kubernetes API. */
    public DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket, InetSocketAddress controlTcp,
                         InetSocketAddress metricsAddress, Path servicesDir, Path bpfPinRoot, List<String> hostDevices, String etcdUrls,
                         Path cniSocket, boolean fib, Path exabgpSocket, List<String> exabgpProcesses, Path policyDir,
                         Path socketLbCgroup, int conntrackMax) {
        this(profile, node, stateDir, controlSocket, controlTcp, metricsAddress, servicesDir, bpfPinRoot, hostDevices, etcdUrls,
                cniSocket, fib, exabgpSocket, exabgpProcesses, policyDir, socketLbCgroup, conntrackMax, null, false);
    }

    /** Whether Services come from somewhere: the watched directory or the Kubernetes API. */
    public boolean services() {
        return servicesDir != null || kubeApi != null;
    }

    /** The kubeconfig file of {@code --kube-api}, or null for in-cluster (or no --kube-api). */
    public Path kubeconfig() {
        return kubeApi == null || "in-cluster".equals(kubeApi) ? null : Path.of(kubeApi);
    }

    /** Whether network policy is enforced: from --policy-dir or from the Kubernetes API. */
    public boolean policy() {
        return policyDir != null || kubeApiPolicy;
    }

    /** Without socket-level load balancing. */
    public DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket, InetSocketAddress controlTcp,
                         InetSocketAddress metricsAddress, Path servicesDir, Path bpfPinRoot, List<String> hostDevices, String etcdUrls,
                         Path cniSocket, boolean fib, Path exabgpSocket, List<String> exabgpProcesses, Path policyDir) {
        this(profile, node, stateDir, controlSocket, controlTcp, metricsAddress, servicesDir, bpfPinRoot, hostDevices, etcdUrls,
                cniSocket, fib, exabgpSocket, exabgpProcesses, policyDir, null, 0);
    }

    /** The datapath's options: its pin root and conntrack size. */
    public io.gannet.bpf.DatapathOptions datapathOptions() {
        return io.gannet.bpf.DatapathOptions.defaults().withPinRoot(bpfPinRoot).withConntrackMax(conntrackMax);
    }

    /** Without ingress policy. */
    public DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket, InetSocketAddress controlTcp,
                         InetSocketAddress metricsAddress, Path servicesDir, Path bpfPinRoot, List<String> hostDevices, String etcdUrls,
                         Path cniSocket, boolean fib, Path exabgpSocket, List<String> exabgpProcesses) {
        this(profile, node, stateDir, controlSocket, controlTcp, metricsAddress, servicesDir, bpfPinRoot, hostDevices, etcdUrls,
                cniSocket, fib, exabgpSocket, exabgpProcesses, null);
    }

    /** Only what a plain node needs: the file store, no pod networking, no FIB, no ExaBGP API. */
    public DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket, InetSocketAddress controlTcp,
                         InetSocketAddress metricsAddress, Path servicesDir, Path bpfPinRoot, List<String> hostDevices) {
        this(profile, node, stateDir, controlSocket, controlTcp, metricsAddress, servicesDir, bpfPinRoot, hostDevices,
                null, null, false, null, List.of());
    }

    /** A plain node with its cluster store at {@code etcdUrls} (null: the file store). */
    public DaemonOptions(Path profile, String node, Path stateDir, Path controlSocket, InetSocketAddress controlTcp,
                         InetSocketAddress metricsAddress, Path servicesDir, Path bpfPinRoot, List<String> hostDevices, String etcdUrls) {
        this(profile, node, stateDir, controlSocket, controlTcp, metricsAddress, servicesDir, bpfPinRoot, hostDevices,
                etcdUrls, null, false, null, List.of());
    }

    public DaemonOptions {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(controlSocket, "controlSocket");
        Objects.requireNonNull(bpfPinRoot, "bpfPinRoot");
        hostDevices = List.copyOf(hostDevices);
        exabgpProcesses = List.copyOf(exabgpProcesses);
        if (xdp != null && !xdp.equals("native") && !xdp.equals("generic")) {
            throw new IllegalArgumentException("--xdp: native or generic, not " + xdp);
        }
    }
}
