/**
 * Structured event logs: one line per state change, with the subject (peer, BFD session), the
 * old and new state and the reason, as logfmt (default) or JSON lines.
 *
 * <p>Why not slf4j: the event line must be exactly one logfmt or JSON object that log
 * shippers (journald, Loki, Vector) parse without a pattern, and slf4j-simple (the agent's
 * binding for library logs) adds its own prefix. More importantly the caller is often the BGP
 * event loop: {@link io.gannet.agent.logging.EventLog} formats the line on the caller's thread
 * (cheap, bounded) and hands it to a {@link io.gannet.agent.logging.LogSink}; the daemon's sink
 * is {@link io.gannet.agent.logging.AsyncLogSink}, whose bounded queue never blocks the caller
 * (a full queue drops the line and counts it). Library and diagnostic logs keep going through
 * slf4j.
 *
 * <p>Expected network errors (refused or reset connections, timeouts, a peer closing the
 * socket) are logged as one line with the error text and no stack trace; anything else
 * carries its stack trace in a {@code stack} field, still on one line.
 */
package io.gannet.agent.logging;
