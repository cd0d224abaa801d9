/**
 * {@code gannet run}: the composition root. Renders this host's configuration from the
 * topology profile, maps it onto the BGP speaker (policies, neighbors, originated prefixes),
 * and serves the control API and metrics over it.
 *
 * <p>Threads: the speaker's event loop owns sessions and RIB and is reached only through
 * {@link io.gannet.agent.run.SpeakerLoop}; the control server has its own threads; a
 * scheduler thread publishes metrics snapshots. Graceful restart (RFC 4724) across daemon
 * restarts rests on {@link io.gannet.agent.run.RestartMarker} in the state directory, and, when
 * the state directory has no record (a fresh one), on the forwarding state an earlier run left
 * ({@link io.gannet.agent.run.RestartEvidence}: pinned VIPs, kernel routes with Gannet's protocol).
 */
package io.gannet.agent.run;
