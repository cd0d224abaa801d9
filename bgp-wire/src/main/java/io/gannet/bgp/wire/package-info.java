/**
 * BGP-4 messages as bytes and values: the 19-byte header and its framing checks, OPEN with
 * capabilities, NOTIFICATION, KEEPALIVE and ROUTE-REFRESH. UPDATE bodies and path
 * attributes live in {@code wire.attr}.
 *
 * <p>Pure code: ByteBuf in, immutable value out (or a {@link io.gannet.bgp.wire.BgpError}
 * naming the NOTIFICATION that answers bad input); no I/O, clock, logging or state, so any
 * thread may call it.
 *
 * <p>RFCs: 4271 (4.1-4.5, 6.1-6.2), 5492 (capabilities), 4760 (multiprotocol), 6793
 * (4-octet AS), 2918 and 7313 (route refresh), 4724 (graceful restart), 8654 (extended
 * message), 9072 (extended optional parameters, decode only), 4486 (Cease subcodes),
 * 8203/9003 (shutdown communication), 6608 (FSM error subcodes), 9687 (send hold timer).
 */
package io.gannet.bgp.wire;
