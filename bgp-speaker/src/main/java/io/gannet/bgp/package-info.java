/**
 * The BGP speaker facade ({@link io.gannet.bgp.BgpSpeaker}): start, stop (graceful or with
 * Cease), peer administration, status, reconfiguration and the hop onto the event loop that
 * owns sessions and the RIB. Packages below, in data-flow order: {@code wire} (bytes),
 * {@code session} (FSM), {@code rib} and {@code policy} (routes), {@code transport} (netty).
 */
package io.gannet.bgp;
