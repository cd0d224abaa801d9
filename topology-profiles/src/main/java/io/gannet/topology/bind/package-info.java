/**
 * Binding of the located YAML tree to the typed profile model: unknown keys (with "did you
 * mean"), missing keys, wrong types, malformed addresses, prefixes (host bits), ASNs
 * (RFC 6793 AS_TRANS, RFC 7300 reserved), communities (RFC 1997, RFC 8092), MD5 references
 * (never inline) and out-of-range numbers. Mirrors {@code schema/topology-profile.schema.json}.
 * Stateless; one binder per load.
 */
package io.gannet.topology.bind;
