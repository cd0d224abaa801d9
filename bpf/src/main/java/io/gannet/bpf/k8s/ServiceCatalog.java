package io.gannet.bpf.k8s;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Joins Services with their EndpointSlices into datapath frontends, as kube-proxy does:
 * each Service port becomes a frontend on the clusterIP and on every externalIP; its
 * backends are the ready addresses of the Service's slices, at the slice port with the
 * same name and protocol.
 */
public final class ServiceCatalog {
    private ServiceCatalog() {}

    public static List<ServiceSpec> join(List<KubeObjects.Service> services, List<KubeObjects.Slice> slices) {
        List<ServiceSpec> out = new ArrayList<>();
        for (KubeObjects.Service s : services) {
            for (KubeObjects.ServicePort p : s.ports()) {
                Set<Backend> backends = new LinkedHashSet<>();
                for (KubeObjects.Slice sl : slices) {
                    if (!sl.namespace().equals(s.namespace()) || !sl.serviceName().equals(s.name())) {
                        continue;
                    }
                    for (KubeObjects.SlicePort sp : sl.ports()) {
                        if (sp.name().equals(p.name()) && sp.protocol() == p.protocol()) {
                            for (int addr : sl.readyAddresses()) {
                                backends.add(new Backend(addr, sp.port()));
                            }
                        }
                    }
                }
                String name = s.namespace() + "/" + s.name() + (p.name().isEmpty() ? "" : ":" + p.name());
                ServiceSpec.Algorithm algo = s.maglev() ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM;
                List<Backend> bs = List.copyOf(backends);
                if (s.clusterIp() != null) {
                    out.add(new ServiceSpec(name, new Frontend(s.clusterIp(), p.port(), p.protocol()), false, algo, bs));
                }
                for (int ext : s.externalIps()) {
                    out.add(new ServiceSpec(name, new Frontend(ext, p.port(), p.protocol()), true, algo, bs));
                }
            }
        }
        return out;
    }
}
