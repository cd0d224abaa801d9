/**
 * VIP announce/withdraw rules: the {@link io.gannet.l4lb.announce.Announcer} the agent
 * implements on the speaker loop, and the per-VIP hysteresis (hold times and an RFC 2439
 * style penalty). Pure and single-threaded; the L4LB thread drives it.
 */
package io.gannet.l4lb.announce;
