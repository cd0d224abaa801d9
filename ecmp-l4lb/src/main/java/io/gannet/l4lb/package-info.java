/**
 * Gannet the ECMP L4 load balancer: VIPs, health checks, Maglev tables, announce/withdraw rules, the ExaBGP-style API.
 * <p>
 * Skeleton: the module exists so the reactor and the module graph are fixed; its issue fills it in.
 */
package io.gannet.l4lb;
