package io.gannet.l4lb.forward;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The SNAT half of the L4LB's forwarding, as an nftables table this class owns alone:
 * <pre>
 * table ip NAME {
 *   set backends { type ipv4_addr . inet_proto . inet_service; }
 *   chain postrouting { type nat hook postrouting priority srcnat;
 *     iifname { UPLINKS } ip daddr . meta l4proto . th dport @backends masquerade }
 * }
 * </pre>
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

    void install() {
        StringBuilder s = new StringBuilder();
        s.append("table ip ").append(table).append(" {}\n");
        s.append("delete table ip ").append(table).append("\n");
        s.append("table ip ").append(table).append(" {\n");
        s.append("  set backends { type ipv4_addr . inet_proto . inet_service; }\n");
        s.append("  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n");
        s.append("    iifname { ").append(String.join(", ", uplinks.stream().map(u -> "\"" + u + "\"").toList()))
                .append(" } ip daddr . meta l4proto . th dport @backends counter masquerade\n  }\n}\n");
        nft(s.toString());
        current = Set.of();
    }

    void update(List<Dest> dests) {
        Set<Dest> want = new LinkedHashSet<>(dests);
        if (want.equals(current)) {
            return;
        }
        StringBuilder s = new StringBuilder("flush set ip ").append(table).append(" backends\n");
        if (!want.isEmpty()) {
            s.append("add element ip ").append(table).append(" backends { ");
            s.append(String.join(", ", want.stream().map(d -> Ipv4.format(d.backend().addr()) + " . "
                    + d.protocol().name().toLowerCase(java.util.Locale.ROOT) + " . " + d.backend().port()).toList()));
            s.append(" }\n");
        }
        nft(s.toString());
        current = want;
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
