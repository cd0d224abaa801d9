/**
 * Problems ({@code file:line:column: error|warning: message}) and the cross-entity rules of a
 * profile: unique names, addresses and router ids (RFC 6286), references that resolve,
 * non-overlapping pools, prefixes inside their pools, role rules, and risky settings
 * (hold time under 3 s, RFC 4271 4.2; keepalive vs hold, RFC 4271 10; GTSM vs multihop,
 * RFC 5082; BFD off). Single-threaded, one collector per load.
 */
package io.gannet.topology.validate;
