package io.gannet.pod.fixedip;

import java.net.InetAddress;

/**
 * What a node does with a fixed IP it holds: announce the host route over BGP (and route it
 * to the pod) or stop. The daemon implements it on the speaker's loop; both calls are
 * idempotent and must have taken effect when they return.
 */
public interface FixedIpRoutes {
    void announce(InetAddress address);

    void withdraw(InetAddress address);
}
