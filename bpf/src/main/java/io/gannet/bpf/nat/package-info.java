/**
 * SNAT masquerade of pod traffic leaving the node (lib/masq.h): {@link io.gannet.bpf.nat.MasqueradeFeature}
 * writes which host devices masquerade to which node address and which destinations are left
 * alone (dp_masq4, dp_nomasq4, by difference), and reads back the translations, the table's
 * occupancy and the port-retry histogram for {@code gannet show nat} and /metrics.
 *
 * <p>Threads: the feature is called by the agent's datapath thread and the control API; the
 * methods are synchronized, and the programs themselves own dp_ct4 / dp_snat4 entries (the
 * feature only reads them; conntrack GC deletes expired ones).
 */
package io.gannet.bpf.nat;
