package io.gannet.netpolicy.identity;

import java.util.Locale;

/**
 * Identities every host knows without asking the store. The numbers follow Cilium's where
 * Cilium has one (host 1, world 2, remote-node 6); {@code CLUSTER} is Gannet's: an address in
 * the cluster's pod or node pools that no known endpoint holds (a pod on a host whose endpoints
 * have not been learned yet), so policy can allow "the cluster" without allowing the world.
 * Endpoint identities are allocated cluster-wide from {@link #FIRST_ENDPOINT}; CIDR identities
 * are host-local from {@link #FIRST_CIDR} (as Cilium's local identities are).
 */
public enum ReservedIdentity {
    HOST(1), WORLD(2), CLUSTER(3), REMOTE_NODE(6);

    public static final int ANY = 0;
    public static final int FIRST_ENDPOINT = 256;
    public static final int LAST_ENDPOINT = 0xffff;
    public static final int FIRST_CIDR = 1 << 24;

    private final int id;

    ReservedIdentity(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** CiliumNetworkPolicy's {@code fromEntities} names Gannet enforces. */
    public enum Entity {
        WORLD, CLUSTER, HOST, REMOTE_NODE, ALL;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The entity for a YAML name, or null for one Gannet does not know or enforce. */
        public static Entity fromYaml(String name) {
            for (Entity e : values()) {
                if (e.yamlName().equals(name)) {
                    return e;
                }
            }
            return null;
        }
    }

    public static boolean isCidr(int identity) {
        return identity >= FIRST_CIDR;
    }

    public static boolean isEndpoint(int identity) {
        return identity >= FIRST_ENDPOINT && identity <= LAST_ENDPOINT;
    }

    /** A name for reports: "host", "world", "cidr:16777217", "256". */
    public static String describe(int identity) {
        for (ReservedIdentity r : values()) {
            if (r.id == identity) {
                return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
        }
        if (identity == ANY) {
            return "any";
        }
        return isCidr(identity) ? "cidr:" + identity : Integer.toString(identity);
    }
}
