/**
 * Flap damping for BFD clients: {@link io.gannet.bfd.damping.FlapDamper} turns a stream of
 * Up/Down events into "may the client's session come up now", with exponential back-off
 * and decay. Pure logic over an injected clock; the agent's BGP binding owns the instances.
 */
package io.gannet.bfd.damping;
