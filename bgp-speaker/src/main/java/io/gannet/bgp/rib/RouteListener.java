package io.gannet.bgp.rib;

/**
 * Told when a prefix's best path or ECMP set may have changed, so a consumer (kernel route
 * programming, metrics) can read it with {@link Rib#route}. Primitives, so the RIB allocates
 * nothing to notify. Called on the speaker loop, in the middle of RIB processing: implementations
 * only note the prefix and act later; they never call back into the RIB from here.
 */
@FunctionalInterface
public interface RouteListener {
    /**
     * @param ipv6   family of the prefix
     * @param hi     IPv4 address bits (low 32 bits) or the first 64 bits of an IPv6 address
     * @param lo     the last 64 bits of an IPv6 address, 0 for IPv4
     * @param length prefix length
     * @param paths  size of the ECMP set now (0 = the prefix is gone)
     */
    void changed(boolean ipv6, long hi, long lo, int length, int paths);
}
