package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Turns the API's JSON into the tables and blocks the commands print. */
final class Render {
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Render() {}

    /** {@code show peer NAME}: one "key: value" line each, like {@code birdc show protocols all}. */
    static void peerDetail(JsonNode p, PrintWriter out) {
        String state = p.path("state").asText() + (p.path("adminDisabled").asBoolean() ? " (disabled by an operator)" : "");
        out.println("BGP peer " + p.path("name").asText() + ", " + p.path("address").asText());
        out.println("  State:              " + state + " since " + since(p.path("sinceEpochMillis"))
                + (p.path("uptimeSeconds").asLong() > 0 ? " (up " + duration(p.path("uptimeSeconds").asLong()) + ")" : ""));
        out.println("  Local AS:           " + p.path("localAs").asText() + ", router id " + text(p.path("localRouterId")));
        out.println("  Neighbor AS:        " + p.path("remoteAs").asText() + ", router id " + text(p.path("remoteRouterId")));
        out.println("  Hold time:          " + (p.path("holdTimeSeconds").isNull() ? "- (not negotiated yet)"
                : p.path("holdTimeSeconds").asText() + " s, keepalive every " + p.path("keepaliveSeconds").asText() + " s"));
        List<String> caps = strings(p.path("capabilities"));
        out.println("  Capabilities:       " + (caps.isEmpty() ? "- (not negotiated yet)" : caps.get(0)));
        for (int i = 1; i < caps.size(); i++) {
            out.println("                      " + caps.get(i));
        }
        out.println("  Prefixes:           " + p.path("prefixesReceived").asText() + " received, "
                + p.path("prefixesAccepted").asText() + " accepted, " + p.path("prefixesAdvertised").asText() + " advertised");
        out.println("  Messages received:  " + messages(p.path("messagesIn")));
        out.println("  Messages sent:      " + messages(p.path("messagesOut")));
        out.println("  Flaps:              " + p.path("flaps").asText());
        out.println("  Last error:         " + text(p.path("lastError"))
                + (p.path("lastErrorEpochMillis").asLong() > 0 ? " (at " + since(p.path("lastErrorEpochMillis")) + " UTC)" : ""));
    }

    private static String messages(JsonNode m) {
        return m.path("open").asText() + " OPEN, " + m.path("update").asText() + " UPDATE, " + m.path("notification").asText()
                + " NOTIFICATION, " + m.path("keepalive").asText() + " KEEPALIVE, " + m.path("routeRefresh").asText()
                + " ROUTE-REFRESH";
    }

    private static String duration(long seconds) {
        long d = seconds / 86400;
        long h = seconds / 3600 % 24;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return (d > 0 ? d + "d " : "") + String.format("%02d:%02d:%02d", h, m, s);
    }

    static void peers(JsonNode body, PrintWriter out) {
        Table t = new Table("Name", "Address", "AS", "State", "Since (UTC)", "Received", "Accepted", "Advertised", "BFD",
                "Last error");
        for (JsonNode p : body.path("peers")) {
            String state = p.path("state").asText() + (p.path("adminDisabled").asBoolean() ? " (disabled)" : "");
            t.row(p.path("name").asText(), text(p.path("address")), p.path("remoteAs").asText(), state,
                    since(p.path("sinceEpochMillis")), p.path("prefixesReceived").asText(),
                    p.path("prefixesAccepted").asText(), p.path("prefixesAdvertised").asText(),
                    p.path("bfdState").asText(), text(p.path("lastError")));
        }
        t.print(out);
    }

    static void routes(JsonNode body, PrintWriter out) {
        Table t = new Table("", "Prefix", "Next hop", "From", "AS path", "Origin", "MED", "LocPrf", "Communities");
        for (JsonNode r : body.path("routes")) {
            String flags = (r.path("best").asBoolean() ? ">" : r.path("ecmp").asBoolean() ? "=" : " ")
                    + (r.path("stale").asBoolean() ? "S" : "");
            List<String> comms = new ArrayList<>(strings(r.path("communities")));
            comms.addAll(strings(r.path("largeCommunities")));
            t.row(flags.strip().isEmpty() ? "" : flags, r.path("prefix").asText(), String.join(",", strings(r.path("nextHops"))),
                    from(r), asPath(r.path("asPath")),
                    r.path("origin").asText(), text(r.path("med")), text(r.path("localPref")), String.join(" ", comms));
        }
        t.print(out);
        java.util.Set<String> prefixes = new java.util.HashSet<>();
        body.path("routes").forEach(r -> prefixes.add(r.path("prefix").asText()));
        int paths = body.path("routes").size();
        out.println(prefixes.size() + (prefixes.size() == 1 ? " prefix, " : " prefixes, ") + paths
                + (paths == 1 ? " path" : " paths") + (body.path("truncated").asBoolean()
                ? " (truncated: narrow the query or raise --limit)" : "") + ". Flags: > best, = multipath, S stale");
    }

    /** The "From" column: the peer, or for the daemon's own routes who originates them (profile, operator). */
    private static String from(JsonNode r) {
        String source = r.path("source").asText("");
        if (!source.isEmpty() && !source.equals("peer") && !source.equals("local")) {
            return source;
        }
        return r.path("fromPeer").isNull() ? "local" : r.path("fromPeer").asText();
    }

    static void routeDetail(JsonNode body, PrintWriter out) {
        JsonNode paths = body.path("paths");
        out.println(body.path("prefix").asText() + ": " + paths.size() + (paths.size() == 1 ? " path" : " paths")
                + ", best chosen by: " + body.path("bestReason").asText());
        for (JsonNode p : paths) {
            String from = p.path("fromPeer").isNull() ? "local (originated here)"
                    : p.path("fromPeer").asText() + " (" + p.path("peerAddress").asText()
                    + (p.path("peerRouterId").isNull() ? "" : ", router id " + p.path("peerRouterId").asText()) + ")";
            String mark = p.path("best").asBoolean() ? "* best" : p.path("ecmp").asBoolean() ? "= multipath" : "  candidate";
            out.println("  " + mark + " from " + from + (p.path("stale").asBoolean() ? " [stale]" : ""));
            field(out, "next hop", String.join(", ", strings(p.path("nextHops"))));
            field(out, "as path", asPath(p.path("asPath")));
            field(out, "origin", p.path("origin").asText());
            field(out, "med", text(p.path("med")));
            field(out, "local pref", text(p.path("localPref")));
            field(out, "communities", String.join(" ", strings(p.path("communities"))));
            field(out, "ext communities", String.join(" ", strings(p.path("extendedCommunities"))));
            field(out, "large communities", String.join(" ", strings(p.path("largeCommunities"))));
            field(out, "atomic aggregate", p.path("atomicAggregate").asBoolean() ? "yes" : "no");
            field(out, "aggregator", text(p.path("aggregator")));
            field(out, "originator id", text(p.path("originatorId")));
            field(out, "cluster list", String.join(" ", strings(p.path("clusterList"))));
            field(out, "other attributes", String.join("; ", strings(p.path("otherAttributes"))));
            field(out, "received", since(p.path("receivedAtEpochMillis")) + " UTC");
            if (!p.path("best").asBoolean()) {
                field(out, "not best", text(p.path("notBestReason")));
            }
        }
    }

    static void bfd(JsonNode body, PrintWriter out) {
        Table t = new Table("Peer", "Interface", "Hop", "State", "Remote", "Since (UTC)", "Tx ms", "Rx ms", "Mult", "Flaps",
                "Detections", "Diagnostic", "Clients");
        for (JsonNode s : body.path("sessions")) {
            t.row(s.path("peerAddress").asText(), text(s.path("interfaceName")), s.path("multihop").asBoolean() ? "multi" : "single",
                    s.path("state").asText(),
                    s.path("remoteState").asText(), since(s.path("sinceEpochMillis")),
                    millis(s.path("txIntervalMicros")), millis(s.path("rxIntervalMicros")), s.path("multiplier").asText(),
                    s.path("flaps").asText(), s.path("detectionEvents").asText(), text(s.path("diagnostic")),
                    String.join(",", strings(s.path("clients"))));
        }
        t.print(out);
    }

    /** vips, services, policy, ipam: rows of objects whose keys are the columns, in order. */
    static void section(JsonNode rows, PrintWriter out) {
        List<String> cols = new ArrayList<>();
        for (JsonNode r : rows) {
            for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!cols.contains(k)) {
                    cols.add(k);
                }
            }
        }
        if (cols.isEmpty()) {
            out.println("(none)");
            return;
        }
        Table t = new Table(cols);
        for (JsonNode r : rows) {
            t.row(cols.stream().map(c -> {
                JsonNode v = r.path(c);
                return v.isMissingNode() || v.isNull() ? "-" : v.isValueNode() ? v.asText() : v.toString();
            }).toList());
        }
        t.print(out);
    }

    /** {@code show vips}: one line per VIP frontend (L4LB rows), its backends indented below it. */
    static void vips(JsonNode rows, PrintWriter out) {
        if (rows.isEmpty() || !rows.get(0).has("frontend")) {
            section(rows, out); // rows of another shape: plain columns
            return;
        }
        Table t = new Table("VIP", "Frontend", "Service", "Route", "Healthy", "Fingerprint", "Reason");
        for (JsonNode r : rows) {
            t.row(List.of(r.path("vip").asText(), r.path("frontend").asText("-"), r.path("service").asText("-"),
                    r.path("route").asText(), r.path("healthy").asText(), r.path("fingerprint").asText("-"),
                    r.path("reason").asText()));
        }
        t.print(out);
        for (JsonNode r : rows) {
            if (r.path("backends").isEmpty()) {
                continue;
            }
            out.println();
            out.println(r.path("frontend").asText() + " (" + r.path("service").asText() + "), check: " + r.path("check").asText()
                    + ", Maglev table of " + r.path("tableSize").asInt() + " entries"
                    + (r.path("slots").asText().isEmpty() ? "" : " (" + r.path("slots").asText() + ")")
                    + (r.path("datapath").asText().isEmpty() ? "" : ", datapath: " + r.path("datapath").asText()));
            Table b = new Table("  Backend", "Weight", "State", "Health", "Entries", "Last probe");
            for (JsonNode x : r.path("backends")) {
                b.row(List.of("  " + x.path("backend").asText(), x.path("weight").asText(), x.path("state").asText("-"),
                        x.path("health").asText(), x.path("tableEntries").asText(), x.path("lastResult").asText()));
            }
            b.print(out);
        }
    }

    static void commandResult(JsonNode body, PrintWriter out) {
        out.println(body.path("message").asText() + (body.path("changed").asBoolean() ? "" : " (nothing changed)"));
    }

    /** As above, and a warning the daemon gave ("no peer received ...") on {@code err}. */
    static void commandResult(JsonNode body, PrintWriter out, PrintWriter err) {
        commandResult(body, out);
        if (body.path("warning").isTextual()) {
            err.println("gannet: warning: " + body.path("warning").asText());
            err.flush();
        }
    }

    static void reload(JsonNode body, PrintWriter out) {
        Table t = new Table("Part", "Outcome", "Detail");
        for (JsonNode p : body.path("parts")) {
            t.row(p.path("part").asText(), p.path("outcome").asText(), text(p.path("detail")));
        }
        t.print(out);
    }

    private static void field(PrintWriter out, String name, String value) {
        out.printf("      %-18s %s%n", name, value == null || value.isEmpty() ? "-" : value);
    }

    private static String asPath(JsonNode segments) {
        List<String> parts = new ArrayList<>();
        for (JsonNode s : segments) {
            String body = String.join(" ", strings(s.path("asns")));
            parts.add(switch (s.path("type").asText()) {
                case "set" -> "{" + body + "}";
                case "confed-sequence" -> "(" + body + ")";
                case "confed-set" -> "[" + body + "]";
                default -> body;
            });
        }
        return parts.isEmpty() ? "(empty)" : String.join(" ", parts);
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        for (JsonNode n : array) {
            l.add(n.asText());
        }
        return l;
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "-" : n.asText();
    }

    private static String since(JsonNode epochMillis) {
        return epochMillis.asLong() <= 0 ? "-" : SINCE.format(Instant.ofEpochMilli(epochMillis.asLong()));
    }

    private static String millis(JsonNode micros) {
        long us = micros.asLong();
        return us % 1000 == 0 ? Long.toString(us / 1000) : String.format("%.3f", us / 1000.0);
    }
}
