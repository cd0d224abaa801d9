package io.gannet.netpolicy.model;

import io.gannet.netpolicy.selector.LabelSelector;
import java.util.List;

/** Who a rule is about: endpoints by labels, addresses by CIDR, or a reserved entity. */
public sealed interface Peer {
    /** Endpoints whose full label set (pod + namespace labels) the selector matches. */
    record Endpoints(LabelSelector selector) implements Peer {
        @Override
        public String toString() {
            return "endpoints{" + selector + "}";
        }
    }

    /** Addresses in {@code cidr} but in none of {@code except}. */
    record Cidrs(Cidr cidr, List<Cidr> except) implements Peer {
        public Cidrs {
            except = List.copyOf(except);
        }

        @Override
        public String toString() {
            return except.isEmpty() ? "cidr " + cidr : "cidr " + cidr + " except " + except;
        }
    }

    /** A Cilium entity: world, cluster, host, remote-node, all. */
    record Entity(io.gannet.netpolicy.identity.ReservedIdentity.Entity entity) implements Peer {
        @Override
        public String toString() {
            return "entity " + entity.yamlName();
        }
    }
}
