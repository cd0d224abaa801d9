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
}
