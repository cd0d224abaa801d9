/**
 * Gannet's ECMP L4 load balancer: several hosts announce the same Service VIP (/32) and every
 * host sends a flow to the same backend (Maglev), so the fabric can spread flows over the hosts
 * by ECMP. {@link io.gannet.l4lb.L4lb} ties the parts together: VIPs from the Service
 * directory ({@code model}), backend health ({@code health}), each VIP's table (Maglev over its
 * configured backends, unhealthy backends' entries failed over) and fingerprint ({@code maglev}), forwarding ({@code forward}), announce/withdraw with hysteresis
 * through an {@link io.gannet.l4lb.announce.Announcer} the agent implements on the BGP
 * speaker's loop ({@code announce}: this module never sees BGP classes), and the
 * ExaBGP-compatible text API ({@code exabgp}).
 *
 * <p>Threads: {@link io.gannet.l4lb.L4lbCore} holds every decision and is owned by one thread,
 * {@code gannet-l4lb} (directory reloads, health changes, a 100 ms tick, drains); it is the only
 * caller of the forwarding and the announcer. Probes run on the health checker's timer thread and
 * virtual threads; ExaBGP connections and processes on virtual threads. Time comes from an
 * injected {@link java.time.InstantSource}.
 *
 * <p>Specs: Maglev (Eisenbud et al., NSDI 2016, 3.4); weighted rendezvous hashing (Thaler and
 * Ravishankar, "Using name-based mappings to increase hit rates", IEEE/ACM ToN 1998); RFC 2439 (the flap penalty's figure of
 * merit, applied to our own routes); ExaBGP 4's text process API; Kubernetes core/v1 Service and
 * discovery.k8s.io/v1 EndpointSlice.
 */
package io.gannet.l4lb;
