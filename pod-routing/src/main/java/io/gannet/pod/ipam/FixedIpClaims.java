package io.gannet.pod.ipam;

import java.net.InetAddress;

/**
 * Where fixed StatefulSet IPs come from: a pool shared by the cluster, reserved in the store,
 * with exactly one node holding (announcing, routing) each address at a time.
 *
 * <p>{@link NodeIpam} calls {@link #claim} when a fixed-IP pod starts here and {@link #vacate}
 * when it stops here. Implementations are thread safe.
 */
public interface FixedIpClaims {
    /**
     * Reserves the key's address if it has none yet, and makes this node its holder (moving it
     * from any other node in one store transaction). Returns the address.
     *
     * @throws IpamException {@link IpamException.Reason#FIXED_IP_UNAVAILABLE} when no pool
     *     is configured, the pool is exhausted or the store cannot be reached
     */
    InetAddress claim(FixedIpKey key);

    /** Gives up holding the key's address on this node (it stays reserved for the key). Idempotent. */
    void vacate(FixedIpKey key, InetAddress address);

    /** No fixed-IP pool: every claim is refused with a clear reason. */
    FixedIpClaims NONE = new FixedIpClaims() {
        @Override
        public InetAddress claim(FixedIpKey key) {
            throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE,
                    "pod " + key + " asks for a fixed IP but the profile names no fixed-IP pool for this node");
        }

        @Override
        public void vacate(FixedIpKey key, InetAddress address) {}
    };
}
