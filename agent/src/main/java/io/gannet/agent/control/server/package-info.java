/**
 * The control API server: JSON over HTTP/1.1 (netty codec-http) on a Unix domain socket, an
 * optional loopback TCP port, and an optional TCP address that serves only {@code /metrics}.
 * The endpoints are documented in {@code src/main/resources/openapi.yaml}; {@link
 * io.gannet.agent.control.server.ControlApi} maps them onto {@link
 * io.gannet.agent.control.DaemonView} and {@link io.gannet.agent.control.DaemonControl}.
 *
 * <p>Threads: one epoll I/O thread of its own ("gannet-control-io", never the BGP loop)
 * accepts, decodes and writes; requests run on a small bounded worker pool
 * ("gannet-control-worker-N") because the daemon's implementations may wait for their owner
 * thread. A connection reads its next request only after the previous response was written,
 * so pipelined requests are answered in order. A full worker queue answers 503 at once rather
 * than queueing without bound.
 *
 * <p>Input is untrusted even on a root-only socket: bodies are limited to 64 KiB, JSON is
 * parsed strictly (unknown fields, duplicate keys, trailing tokens, type coercions are errors)
 * and every error is a JSON body {@code {"status", "error", "message"}} with a 4xx/5xx status;
 * a rejected request changed nothing.
 *
 * <p>Who may call: the Unix socket admits whoever its mode (0660) and group admit, and names
 * them by SO_PEERCRED (uid, pid); the loopback TCP port needs an RFC 6750 bearer token from
 * {@link io.gannet.agent.control.server.ControlTokens} (401 without a valid one, 403 for a read
 * token's command). Every command is reported to a {@link
 * io.gannet.agent.control.server.ControlAudit} with its {@link io.gannet.agent.control.server.Caller}.
 * A client may ask for {@code Accept: text/plain}: views then answer the CLI's own text through
 * {@link io.gannet.agent.control.server.TextViews} (the native {@code gannet-show} client).
 */
package io.gannet.agent.control.server;
