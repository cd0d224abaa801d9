/**
 * Backend health checks: TCP connect, HTTP(S) GET with an expected status, UDP request/reply
 * and exec, with interval, timeout, rise and fall. One probe per (backend, check), shared by
 * every VIP that uses it. Threads: a timer thread starts probes, probes run on virtual
 * threads; results reach the L4LB through a listener that must not block.
 */
package io.gannet.l4lb.health;
