/**
 * The node's PodCIDR when the profile lets the cluster store hand it out (or registers the
 * profile's pinned one there): {@link io.gannet.pod.podcidr.PodCidrClaim}. Called from the
 * daemon's start-up and reload thread.
 */
package io.gannet.pod.podcidr;
