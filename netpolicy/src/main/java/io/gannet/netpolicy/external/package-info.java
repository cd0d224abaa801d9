/**
 * External endpoints: VMs and bare-metal hosts outside the cluster that policy names by label.
 * {@code ExternalEndpoint} is the value (read from a policy directory's YAML, the control API's
 * JSON and the store's value, each checked field by field); {@code ExternalEndpointStore} holds
 * them in the cluster store, one key each under {@code /gannet/external-endpoints/}, with
 * compare-and-swap writes, refusals that change nothing (an address of the pod address space or
 * of another endpoint, a name another source owns), and a watch every daemon runs so that a
 * change made on one host reaches every host's datapath. The enforcer turns each into an
 * endpoint of no node: its label set gets an identity through the store, its prefixes that
 * identity in the ipcache.
 *
 * <p>Threads: the store class is stateless over the store (thread safe); watch callbacks arrive
 * on the store's watch thread and must not block (the daemon hands them to its policy thread).
 */
package io.gannet.netpolicy.external;
