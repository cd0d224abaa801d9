/**
 * The daemon's operator surface as seen by the control API: a read model ({@link
 * io.gannet.agent.control.DaemonView}), a command model ({@link
 * io.gannet.agent.control.DaemonControl}), the immutable values they exchange, and the typed
 * error ({@link io.gannet.agent.control.ControlException}) every failed call raises.
 *
 * <p>This package knows nothing about netty, HTTP or the BGP speaker: the composition root
 * ({@code gannet run}) implements the two interfaces on top of the speaker, BFD and the
 * datapath, and the HTTP server in {@code control.server} only calls them.
 *
 * <p>Threads: the interfaces are called from the control server's worker threads
 * ("gannet-control-worker-N"), never from a BGP or BFD event loop and never from the control
 * server's own I/O thread. Implementations own the hop onto the state's owner thread (for
 * example {@code CompletableFuture.supplyAsync(task, bgpLoop).get(timeout)}), or better,
 * answer reads from an immutable snapshot the owner thread publishes. Every value type here is
 * immutable, so a result may be built on the owner thread and handed over as is.
 *
 * <p>RFCs: RFC 8203 / RFC 9003 (shutdown communication, at most 255 octets of UTF-8),
 * RFC 1997 (communities and the well-known ones), RFC 8092 (large communities), RFC 4271
 * (origin, AS_PATH segment types, the session FSM state names), RFC 5880 (BFD state names).
 */
package io.gannet.agent.control;
