package io.gannet.bgp.policy;

import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.Prefix;
import java.net.InetAddress;
import java.util.List;

/** A change a statement makes to an accepted route's attributes. Immutable records. */
public sealed interface Action {
    void applyTo(AttributesBuilder b, InetAddress localAddress);

    record SetMed(long med) implements Action {
        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            b.med(med);
        }
    }

    record SetLocalPref(long localPref) implements Action {
        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            b.localPref(localPref);
        }
    }

    /** Sets an explicit next hop (IPv4 NEXT_HOP or the IPv6 MP_REACH next hop). */
    record SetNextHop(InetAddress address) implements Action {
        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            setNextHop(b, address);
        }
    }

    /** Sets the next hop to our address on the session. */
    record SetNextHopSelf() implements Action {
        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            if (localAddress != null) {
                setNextHop(b, localAddress);
            }
        }
    }

    /**
     * Export only: keep the route's next hop instead of the eBGP "next hop self" rewrite (BIRD's
     * {@code next hop keep}, FRR's {@code next-hop-unchanged}); e.g. for a route server, or a DUT
     * in a benchmark whose peers reject loopback next hops.
     */
    record KeepNextHop() implements Action {
        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            // Nothing to change: the RIB skips its next-hop rewrite when a statement carries this.
        }
    }

    record AddCommunities(List<Integer> communities) implements Action {
        public AddCommunities {
            communities = List.copyOf(communities);
        }

        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            for (int i = 0, n = communities.size(); i < n; i++) { // indexed: no iterator under C1
                b.addCommunity(communities.get(i));
            }
        }
    }

    record RemoveCommunities(List<Integer> communities) implements Action {
        public RemoveCommunities {
            communities = List.copyOf(communities);
        }

        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            for (int i = 0, n = communities.size(); i < n; i++) {
                b.removeCommunity(communities.get(i));
            }
        }
    }

    record AddLargeCommunities(List<Communities.Large> communities) implements Action {
        public AddLargeCommunities {
            communities = List.copyOf(communities);
        }

        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            for (int i = 0, n = communities.size(); i < n; i++) {
                Communities.Large c = communities.get(i);
                b.addLargeCommunity((int) c.global(), (int) c.local1(), (int) c.local2());
            }
        }
    }

    record RemoveLargeCommunities(List<Communities.Large> communities) implements Action {
        public RemoveLargeCommunities {
            communities = List.copyOf(communities);
        }

        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            for (int i = 0, n = communities.size(); i < n; i++) {
                Communities.Large c = communities.get(i);
                b.removeLargeCommunity((int) c.global(), (int) c.local1(), (int) c.local2());
            }
        }
    }

    /** Prepends {@code asn} {@code times} times to the AS_PATH. */
    record PrependAs(long asn, int times) implements Action {
        @Override
        public void applyTo(AttributesBuilder b, InetAddress localAddress) {
            b.prependAs(asn, times);
        }
    }

    private static void setNextHop(AttributesBuilder b, InetAddress a) {
        byte[] bytes = a.getAddress();
        if (bytes.length == 4) {
            b.nextHop(Prefix.of(a, 32).ipv4Bits());
        } else {
            b.nextHop6(bytes);
        }
    }
}
