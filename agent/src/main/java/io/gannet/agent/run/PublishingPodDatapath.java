package io.gannet.agent.run;

import io.gannet.netpolicy.pods.PodPublisher;
import io.gannet.netpolicy.pods.PublishedPod;
import io.gannet.pod.wiring.PodAttachment;
import io.gannet.pod.wiring.DelegatingPodDatapath;
import io.gannet.pod.wiring.PodDatapath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CNI backend's datapath that also publishes each pod (namespace, name, address: its IPv4
 * address, or its IPv6 one for an IPv6-only pod; a dual-stack pod's IPv6 address beside) in the cluster store through a {@link
 * PodPublisher}, so other nodes' ingress policy knows its identity. A pod the runtime named no
 * Kubernetes pod for is published as PolicyPart registers it: namespace {@code default}, its
 * host veth as name.
 */
final class PublishingPodDatapath extends DelegatingPodDatapath {
    private final PodPublisher publisher;
    private final Map<String, String[]> byVeth = new ConcurrentHashMap<>(); // host veth -> {namespace, name}

    PublishingPodDatapath(PodDatapath inner, PodPublisher publisher) {
        super(inner);
        this.publisher = publisher;
    }

    @Override
    public void attach(String hostVeth, String podIp, String podNamespace, String podName) {
        super.attach(hostVeth, podIp, podNamespace, podName);
        String[] id = id(hostVeth, podNamespace, podName);
        byVeth.put(hostVeth, id);
        publisher.added(id[0], id[1], podIp);
    }

    @Override
    public void attachIpv6(String hostVeth, String podIpv6) {
        super.attachIpv6(hostVeth, podIpv6);
        String[] id = byVeth.get(hostVeth);
        if (id != null) {
            publisher.addedIpv6(id[0], id[1], podIpv6);
        }
    }

    @Override
    public void detach(String hostVeth) {
        super.detach(hostVeth);
        String[] id = byVeth.remove(hostVeth);
        if (id != null) {
            publisher.removed(id[0], id[1]);
        }
    }

    /** The pods a previous daemon wired, at start: the store is made to hold exactly these. */
    void restored(List<PodAttachment> pods) {
        List<PublishedPod> out = new ArrayList<>();
        for (PodAttachment a : pods) {
            String[] id = id(a.hostVeth(), a.podNamespace(), a.podName());
            byVeth.put(a.hostVeth(), id);
            out.add(new PublishedPod("", id[0], id[1], a.ip(), a.ips().size() > 1 ? a.ips().get(1) : ""));
        }
        publisher.replaceAll(out);
    }

    private static String[] id(String hostVeth, String podNamespace, String podName) {
        return new String[] {podNamespace == null || podNamespace.isEmpty() ? "default" : podNamespace,
                podName == null || podName.isEmpty() ? hostVeth : podName};
    }
}
