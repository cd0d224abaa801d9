/**
 * {@code gannet profile check|render|diff}: the command-line face of the topology-profiles
 * module. Commands run once on the calling thread and hold no state. Exit codes: 0 ok
 * (warnings allowed), 1 the profile has errors or cannot answer the request, 2 usage error.
 * MD5 passwords are resolved for rendering but never printed for a host (its output shows
 * {@code <from env NAME>}); only a switch configuration, which must carry the key, contains it.
 */
package io.gannet.agent.profile;
