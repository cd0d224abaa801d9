/**
 * Small network values a profile is made of: strict IP literals (never DNS), prefixes with
 * containment and subnetting, AS number rules (RFC 6793, RFC 6996, RFC 7300) and
 * communities (RFC 1997, RFC 8092). Immutable, no threads.
 */
package io.gannet.topology.net;
