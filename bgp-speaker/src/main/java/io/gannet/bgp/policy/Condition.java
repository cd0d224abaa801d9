package io.gannet.bgp.policy;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.PathAttributes;
import java.util.List;

/**
 * A test on one route; every implementation is an immutable record and allocates nothing when
 * tested. Loops over lists are indexed: the daemon runs C1 only (no escape analysis), where a
 * for-each loop allocates an iterator per route (PolicyAllocationTest).
 */
public sealed interface Condition {
    boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes attributes, boolean local);

    /** The prefix matches any entry of the list. */
    record PrefixIn(String listName, List<PrefixListEntry> entries) implements Condition {
        public PrefixIn {
            entries = List.copyOf(entries);
        }

        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            for (int i = 0, n = entries.size(); i < n; i++) {
                if (entries.get(i).matches(ipv6, hi, lo, length)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The route carries at least one of these RFC 1997 communities (each {@code asn << 16 | value}). */
    record HasCommunity(List<Integer> anyOf) implements Condition {
        public HasCommunity {
            anyOf = List.copyOf(anyOf);
        }

        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            for (int i = 0, n = anyOf.size(); i < n; i++) {
                if (a.hasCommunity(anyOf.get(i))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The route carries at least one of these RFC 8092 large communities. */
    record HasLargeCommunity(List<Communities.Large> anyOf) implements Condition {
        public HasLargeCommunity {
            anyOf = List.copyOf(anyOf);
        }

        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            for (int i = 0, n = anyOf.size(); i < n; i++) {
                Communities.Large c = anyOf.get(i);
                if (a.hasLargeCommunity((int) c.global(), (int) c.local1(), (int) c.local2())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** AS_PATH length (RFC 4271 9.1.2.2 a counting) within {@code min..max}. */
    record AsPathLength(int min, int max) implements Condition {
        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            int n = a.asPathLength();
            return n >= min && n <= max;
        }
    }

    /** The AS_PATH contains {@code asn} anywhere. */
    record AsPathContains(long asn) implements Condition {
        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            return a.containsAs(asn);
        }
    }

    /** The route was originated by this speaker (the origination API), not learned from a peer. */
    record LocallyOriginated() implements Condition {
        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            return local;
        }
    }

    /** The route belongs to this address family. */
    record FamilyIs(AddressFamily family) implements Condition {
        @Override
        public boolean test(boolean ipv6, long hi, long lo, int length, PathAttributes a, boolean local) {
            return family.isIpv4() != ipv6;
        }
    }
}
