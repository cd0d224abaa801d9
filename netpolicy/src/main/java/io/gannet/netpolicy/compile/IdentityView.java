package io.gannet.netpolicy.compile;

import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Labels;
import java.util.Map;

/** The identities a compilation resolves peers against: endpoint label sets and policy CIDRs. */
public interface IdentityView {
    /** Every endpoint identity known in the cluster (pods and external endpoints), by number. */
    Map<Integer, Labels> endpointIdentities();

    /** The endpoint identities whose labels {@code selector} matches (an index may answer it). */
    default java.util.Collection<Integer> matching(io.gannet.netpolicy.selector.LabelSelector selector) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        endpointIdentities().forEach((id, labels) -> {
            if (selector.matches(labels)) {
                out.add(id);
            }
        });
        return out;
    }

    /** Every CIDR some policy names, with its host-local identity. */
    Map<Cidr, Integer> cidrIdentities();

    /**
     * What a named port means at the endpoints of an identity (ANY: every endpoint): the numbers
     * and protocols their containers give that name, for egress rules' named ports, which are the
     * destination's. None when no endpoint of the identity has a port of that name.
     */
    default java.util.Set<io.gannet.netpolicy.model.Endpoint.NamedPort> namedPorts(int identity, String name) {
        return java.util.Set.of();
    }
}
