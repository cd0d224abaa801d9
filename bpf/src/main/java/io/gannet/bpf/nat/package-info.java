/**
 * SNAT masquerade of pod traffic leaving the node (lib/masq.h for IPv4, lib/masq6.h for IPv6):
 * {@link io.gannet.bpf.nat.MasqueradeFeature} writes which host devices masquerade to which node
 * address and which destinations are left alone (dp_masq4, dp_nomasq4; dp_masq6, dp_nomasq6; by
 * difference), and reads back the translations, the tables' occupancy and the port-retry
 * histogram for {@code gannet show nat} and /metrics.
 *
 * <p>Threads: the feature is called by the agent's datapath thread and the control API; the
 * methods are synchronized, and the programs themselves own dp_ct4 / dp_snat4 entries (the
 * feature only reads them; conntrack GC deletes expired ones). The same holds for dp_ct6 / dp_snat6.
 */
package io.gannet.bpf.nat;
