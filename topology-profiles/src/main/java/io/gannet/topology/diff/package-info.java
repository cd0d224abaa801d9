/**
 * What changes between two configurations of a host (for a daemon's reload) or between two
 * profiles (for {@code gannet profile diff}): sessions added, removed or changed (and
 * whether a change needs a new session because it is negotiated in OPEN or bound to the TCP
 * connection), prefixes to announce, withdraw or re-announce, and policy changes that need
 * only a route refresh. Pure functions; no threads.
 */
package io.gannet.topology.diff;
