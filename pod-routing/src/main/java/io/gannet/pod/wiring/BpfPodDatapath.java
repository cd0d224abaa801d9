package io.gannet.pod.wiring;

import io.gannet.bpf.Datapath;
import io.gannet.pod.ipam.IpBlock;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * {@link PodDatapath} over today's {@link Datapath#attachPod} / {@link Datapath#detachPod}:
 * from_pod at TC ingress and to_pod at TC egress of the host-side veth, the pod's address in
 * dp_endpoints (its IPv6 address in dp_endpoints6; an IPv6-only pod has address 0 there). The
 * one place to re-point when the datapath's API changes.
 */
public final class BpfPodDatapath implements PodDatapath {
    private final Datapath datapath;

    public BpfPodDatapath(Datapath datapath) {
        this.datapath = datapath;
    }

    @Override
    public void attach(String hostVeth, String podIp) {
        if (podIp.indexOf(':') >= 0) {
            datapath.attachPod(hostVeth, null, podIp); // an IPv6-only pod
        } else {
            datapath.attachPod(hostVeth, podIp);
        }
    }

    @Override
    public String restored(String hostVeth, List<InetAddress> addresses) {
        String v4 = null;
        String v6 = null;
        for (InetAddress a : addresses) {
            if (a instanceof Inet4Address) {
                v4 = v4 == null ? IpBlock.format(a) : v4;
            } else {
                v6 = v6 == null ? IpBlock.format(a) : v6;
            }
        }
        return datapath.restorePod(hostVeth, v4, v6);
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
