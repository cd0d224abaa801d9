/**
 * VIP Maglev tables (Eisenbud et al., NSDI 2016, 3.4) and their fingerprints: pure functions,
 * no threads, no kernel. The permutation and fill are the datapath's ({@code io.gannet.bpf.lb.Maglev});
 * this package orders backends by their stable key, applies weights and fingerprints the result.
 */
package io.gannet.l4lb.maglev;
