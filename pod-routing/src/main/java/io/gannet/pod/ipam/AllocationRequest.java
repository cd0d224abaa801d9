package io.gannet.pod.ipam;

import java.util.Objects;
import java.util.Optional;

/**
 * What a CNI ADD asks for: the container and interface (the CNI identity of an attachment),
 * the pod it belongs to (for show and logs), and optionally the fixed-IP key when the pod is a
 * StatefulSet pod whose address must follow it between nodes.
 */
public record AllocationRequest(String containerId, String ifName, String podNamespace, String podName, Optional<FixedIpKey> fixedIp) {
    public AllocationRequest {
        containerId = Fields.token("container id", containerId);
        ifName = Fields.token("interface name", ifName);
        podNamespace = podNamespace == null ? "" : Fields.text("pod namespace", podNamespace);
        podName = podName == null ? "" : Fields.text("pod name", podName);
        Objects.requireNonNull(fixedIp, "fixedIp");
    }

    public static AllocationRequest of(String containerId, String ifName, String podNamespace, String podName) {
        return new AllocationRequest(containerId, ifName, podNamespace, podName, Optional.empty());
    }
}
