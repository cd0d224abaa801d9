package io.gannet.pod.wiring;

import java.net.InetAddress;
import java.util.List;

/**
 * A {@link PodDatapath} that adds to another one (ingress policy, publishing the pod): every
 * call goes to {@code inner}; subclasses override what they add to and call {@code super}.
 */
public abstract class DelegatingPodDatapath implements PodDatapath {
    protected final PodDatapath inner;

    protected DelegatingPodDatapath(PodDatapath inner) {
        this.inner = inner;
    }

    @Override
    public void attach(String hostVeth, String podIp) {
        attach(hostVeth, podIp, "", "");
    }

    @Override
    public void attach(String hostVeth, String podIp, String podNamespace, String podName) {
        inner.attach(hostVeth, podIp, podNamespace, podName);
    }

    @Override
    public void attachIpv6(String hostVeth, String podIpv6) {
        inner.attachIpv6(hostVeth, podIpv6);
    }

    @Override
    public String restored(String hostVeth, List<InetAddress> addresses) {
        return inner.restored(hostVeth, addresses);
    }

    @Override
    public void detach(String hostVeth) {
        inner.detach(hostVeth);
    }

    @Override
    public int attachedProgram(String hostVeth) {
        return inner.attachedProgram(hostVeth);
    }

    @Override
    public boolean enabled() {
        return inner.enabled();
    }
}
