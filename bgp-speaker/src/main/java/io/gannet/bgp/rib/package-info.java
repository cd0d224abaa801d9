/**
 * Routing tables: Adj-RIB-In (post-import paths per peer), Loc-RIB best path and ECMP sets with a
 * reason per decision (RFC 4271 9.1), Adj-RIB-Out per peer with packed UPDATEs, iBGP/eBGP rules
 * and route reflection (RFC 4456), graceful-restart helper stale handling and End-of-RIB
 * (RFC 4724), route refresh and enhanced route refresh (RFC 2918, RFC 7313), max-prefix
 * (RFC 4486), the own-next-hop check (RFC 4271 6.3), the link-local next hop towards a peer on
 * a shared link (RFC 2545 3), IPv4 routes with IPv6 next hops (RFC 8950), RFC 1997 communities
 * on our own routes sent as attached, and the origination API.
 *
 * <p>The session layer talks to this package only through {@link io.gannet.bgp.rib.PeerLink}
 * and {@link io.gannet.bgp.rib.RouteProcessor}, implemented by {@link io.gannet.bgp.rib.Rib}.
 *
 * <p>Threading: one owner thread, the speaker's event loop. Every {@code Rib} method runs there;
 * other threads submit tasks to the loop. No locks anywhere.
 *
 * <p>Stages, one class each: {@code Rib} (session events, the Loc-RIB, reconfiguration, the
 * origination and read APIs), {@code Importer} (the decoder's callbacks: pre-policy counts, loop
 * and own-next-hop checks, import policy), {@code DecisionProcess} (best path, reason, ECMP
 * set), {@code Exporter} (export rules, rewrite, Adj-RIB-Out, packed UPDATEs, End-of-RIB),
 * {@code RibCompactor} (giving memory back once tables are mostly empty).
 *
 * <p>Memory layout: no object per prefix or path. {@code PrefixTable} maps prefix bits to dense
 * slots, {@code PathStore} keeps paths in parallel int arrays holding interned attribute ids,
 * and each peer's Adj-RIB-Out (and, optionally, pre-policy Adj-RIB-In) is an int array of
 * attribute ids indexed by slot. About 60 bytes per prefix for one source and one receiving peer
 * (a peer that is sent nothing has no Adj-RIB-Out array). The per-slot and per-path arrays grow
 * by pages ({@code IntPages}: no copy and no discarded array left for the collector), the hash
 * index of {@code PrefixTable} by rehashing into four times its size; a while
 * after a peer leaves (or on {@code Rib.trim()}) mostly empty tables are renumbered densely and
 * cut down, so a speaker that once held a full table does not keep its arrays.
 *
 * <p>Configuration reload: {@code Rib.peerPolicyChanged} applies new import/export policy,
 * route-reflector client, next-hop-self and max-prefix to a live session (export recomputed and
 * only differences sent; import re-run from the pre-policy Adj-RIB-In or by ROUTE-REFRESH).
 *
 * <p>{@code RibWarmUp} runs the UPDATE path on a throw-away RIB at speaker start so the JIT has
 * compiled it before the first real table arrives.
 */
package io.gannet.bgp.rib;
