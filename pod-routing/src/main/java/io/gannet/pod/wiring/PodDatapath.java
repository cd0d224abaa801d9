package io.gannet.pod.wiring;

import java.net.InetAddress;
import java.util.List;

/**
 * What pod wiring needs from the eBPF datapath: attach the pod programs to a pod's host-side
 * veth and register the endpoint, and undo that. {@link #NONE} when the daemon runs without a
 * datapath.
 */
public interface PodDatapath {
    /**
     * Attaches the pod programs and registers the endpoint. {@code podIp} is the pod's IPv4
     * address, or its IPv6 address for an IPv6-only pod (which then may send no IPv4); a
     * dual-stack pod's IPv6 address follows through {@link #attachIpv6}.
     */
    void attach(String hostVeth, String podIp);

    /**
     * As {@link #attach(String, String)}, with the pod's Kubernetes namespace and name from the
     * CNI ADD (K8S_POD_NAMESPACE, K8S_POD_NAME; empty when the runtime passes none), for what
     * needs the pod's identity (ingress policy).
     */
    default void attach(String hostVeth, String podIp, String podNamespace, String podName) {
        attach(hostVeth, podIp);
    }

    /**
     * Records the IPv6 address of a dual-stack pod attached already ({@link #attach(String, String)}):
     * the only IPv6 source the datapath lets the pod send from, besides link-local neighbour
     * discovery. A pod attached without one may send no other IPv6.
     */
    default void attachIpv6(String hostVeth, String podIpv6) {}

    /**
     * A pod a previous daemon wired, at start ({@code addresses} as in its attachment, IPv4
     * first): programs and endpoint are made to be in place, and its IPv6 source is
     * (re)registered. Returns what was done, for the log.
     */
    default String restored(String hostVeth, List<InetAddress> addresses) {
        return "in place";
    }

    void detach(String hostVeth);

    /** Program id on the veth's ingress hook, 0 when nothing is attached (CHECK). */
    int attachedProgram(String hostVeth);

    boolean enabled();

    PodDatapath NONE = new PodDatapath() {
        @Override
        public void attach(String hostVeth, String podIp) {}

        @Override
        public void detach(String hostVeth) {}

        @Override
        public int attachedProgram(String hostVeth) {
            return 0;
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };
}
