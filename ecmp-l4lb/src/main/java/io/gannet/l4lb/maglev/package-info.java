/**
 * VIP lookup tables and their fingerprints: pure functions, no threads, no kernel. Tier 1 is
 * Maglev (Eisenbud et al., NSDI 2016, 3.4) over a VIP's configured backends, with the
 * datapath's permutation and fill ({@code io.gannet.bpf.lb.Maglev}); tier 2 fails the entries
 * of unhealthy backends over to healthy ones by weighted rendezvous hashing, so a health flap
 * moves only the flapping backend's entries. This package orders backends by their stable key,
 * applies weights and health and fingerprints the result.
 */
package io.gannet.l4lb.maglev;
