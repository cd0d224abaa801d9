package io.gannet.l4lb.forward;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The SNAT half of the L4LB's forwarding, as two nftables tables of one name this class owns
 * alone, one per family:
 * <pre>
 * table ip NAME {
 *   set backends { type ipv4_addr . inet_proto . inet_service; }
 *   chain postrouting { type nat hook postrouting priority srcnat;
 *     iifname { UPLINKS } ip daddr . meta l4proto . th dport @backends masquerade }
 * }
 * table ip6 NAME { the same with ipv6_addr and ip6 daddr }
 * </pre>
 * (Two tables, not one {@code inet} table: the IPv4 one keeps the name and shape it had
 * before IPv6 VIPs, so a running host's table is replaced in place.)
 * Only forwarded packets that came in on an uplink (the datapath's DNAT output) match; the
 * host's own traffic to backends (health checks) keeps its address. Replaced atomically
 * ({@code nft -f}); left in place on close so traffic keeps flowing across a restart.
 */
final class SnatRules {
    record Dest(Backend backend, Protocol protocol) {}

    private final String table;
    private final List<String> uplinks;
    private Set<Dest> current;

    SnatRules(String table, List<String> uplinks) {
        if (!table.matches("[A-Za-z][A-Za-z0-9_]{0,30}")) {
            throw new IllegalArgumentException("nftables table name '" + table + "' is not a plain identifier");
        }
        for (String u : uplinks) {
            if (!u.matches("[A-Za-z0-9_.@-]{1,15}")) {
                throw new IllegalArgumentException("device name '" + u + "' is not valid");
            }
        }
        this.table = table;
        this.uplinks = List.copyOf(uplinks);
    }

    /**
     * Replaces both tables with their empty shape holding {@code kept}: the backends of the VIPs
     * an earlier run pinned, which serve (new flows too) until this run programs its own
     * ({@code L4lbCore}'s restart hold); without them those flows would leave unmasqueraded.
     */
    void install(List<Dest> kept) {
        StringBuilder s = new StringBuilder();
        String iif = String.join(", ", uplinks.stream().map(u -> "\"" + u + "\"").toList());
        for (String fam : List.of("ip", "ip6")) {
            s.append("table ").append(fam).append(' ').append(table).append(" {}\n");
            s.append("delete table ").append(fam).append(' ').append(table).append("\n");
            s.append("table ").append(fam).append(' ').append(table).append(" {\n");
            s.append("  set backends { type ").append(fam.equals("ip") ? "ipv4_addr" : "ipv6_addr")
                    .append(" . inet_proto . inet_service; }\n");
            s.append("  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n");
            s.append("    iifname { ").append(iif).append(" } ").append(fam)
                    .append(" daddr . meta l4proto . th dport @backends counter masquerade\n  }\n}\n");
        }
        Set<Dest> want = new LinkedHashSet<>(kept);
        addElements(s, want);
        nft(s.toString());
        current = want;
    }

    void update(List<Dest> dests) {
        Set<Dest> want = new LinkedHashSet<>(dests);
        if (want.equals(current)) {
            return;
        }
        StringBuilder s = new StringBuilder();
        for (String fam : List.of("ip", "ip6")) {
            s.append("flush set ").append(fam).append(' ').append(table).append(" backends\n");
        }
        addElements(s, want);
        nft(s.toString());
        current = want;
    }

    private void addElements(StringBuilder s, Set<Dest> want) {
        for (boolean v6 : new boolean[] {false, true}) {
            String fam = v6 ? "ip6" : "ip";
            List<String> elems = want.stream().filter(d -> d.backend().ipv6() == v6)
                    .map(d -> d.backend().address() + " . "
                            + d.protocol().name().toLowerCase(java.util.Locale.ROOT) + " . " + d.backend().port())
                    .toList();
            if (!elems.isEmpty()) {
                s.append("add element ").append(fam).append(' ').append(table).append(" backends { ")
                        .append(String.join(", ", elems)).append(" }\n");
            }
        }
    }

    private static void nft(String script) {
        try {
            Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
            p.getOutputStream().write(script.getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nft did not finish within 10 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("nft refused the SNAT rules: " + new String(out, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run nft (install nftables): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running nft");
        }
    }
}
