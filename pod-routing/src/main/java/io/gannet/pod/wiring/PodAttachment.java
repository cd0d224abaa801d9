package io.gannet.pod.wiring;

/**
 * One pod attachment as wired: the CNI identity (container id, interface name), the pod's
 * namespace path, the host-side veth, the address (CIDR as configured, e.g. 10.1.2.7/32), the
 * gateway, the pod's and the host side's MAC, and the pod's Kubernetes name when the runtime
 * passed it.
 */
public record PodAttachment(String containerId, String ifName, String netns, String hostVeth, String address,
                            String gateway, String podMac, String hostMac, String podNamespace, String podName) {
    public String key() {
        return containerId + "/" + ifName;
    }

    /** The address without its prefix length. */
    public String ip() {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }
}
