package io.gannet.pod.wiring;

import io.gannet.bpf.Datapath;

/**
 * {@link PodDatapath} over today's {@link Datapath#attachPod} / {@link Datapath#detachPod}:
 * from_pod at TC ingress and to_pod at TC egress of the host-side veth, the pod's address in
 * dp_endpoints (its IPv6 address in dp_endpoints6). The one place to re-point when the datapath's API changes.
 */
public final class BpfPodDatapath implements PodDatapath {
    private final Datapath datapath;

    public BpfPodDatapath(Datapath datapath) {
        this.datapath = datapath;
    }

    @Override
    public void attach(String hostVeth, String podIp) {
        datapath.attachPod(hostVeth, podIp);
    }

    @Override
    public void attachIpv6(String hostVeth, String podIpv6) {
        datapath.attachPodIpv6(hostVeth, podIpv6);
    }

    @Override
    public void detach(String hostVeth) {
        datapath.detachPod(hostVeth);
    }

    @Override
    public int attachedProgram(String hostVeth) {
        return datapath.attachedProgramId(hostVeth, true);
    }

    @Override
    public boolean enabled() {
        return true;
    }
}
