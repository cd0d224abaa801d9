/**
 * The BGP propagation benchmark's tools: route injectors and a collector that speak just
 * enough BGP-4 to feed a device under test (BIRD, FRR bgpd or Gannet) and time how fast
 * routes cross it, and {@link io.gannet.bgp.bench.GannetDut}, Gannet as that device in its
 * own process. {@code bench/bgp-propagation/run} drives them; see its README for the method.
 *
 * <p>Pieces, in the order data flows: {@link io.gannet.bgp.bench.InjectorFeed} pre-encodes
 * every UPDATE (with bgp-speaker's own {@code UpdateWriter}) before the clock starts and writes
 * it to a {@link io.gannet.bgp.bench.MessageSink} in chunks that never split a message;
 * {@link io.gannet.bgp.bench.BenchPeer} is one minimal session (OPEN with 4-octet AS and the
 * IPv4 unicast MP capability, KEEPALIVEs, hold timer) over a blocking socket, framed by
 * {@link io.gannet.bgp.wire.StreamMessageReader};
 * {@link io.gannet.bgp.bench.PrefixCounter} decodes what the collector receives (with
 * bgp-speaker's {@code UpdateDecoder}) into a primitive {@link io.gannet.bgp.bench.PrefixSet};
 * {@link io.gannet.bgp.bench.PropagationRun} orchestrates one measurement;
 * {@link io.gannet.linux.ProcessStats} reads the DUT's CPU and peak RSS from /proc.
 *
 * <p>Threads: each {@link io.gannet.bgp.bench.BenchPeer} has one reader thread (decoding and
 * counting happen there) and shares one keepalive timer thread; writes are serialized per
 * peer by a lock so a KEEPALIVE never lands inside an UPDATE. Timing uses an injected
 * nanosecond clock ({@link java.util.function.LongSupplier}).
 *
 * <p>RFCs: 4271 (messages, session), 4760 (MP capability), 6793 (4-octet AS), 4724 section 2
 * (End-of-RIB).
 */
package io.gannet.bgp.bench;
