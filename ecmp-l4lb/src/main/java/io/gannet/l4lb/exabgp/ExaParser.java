package io.gannet.l4lb.exabgp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the route lines of ExaBGP's text process API (ExaBGP 4, {@code encoder text}):
 * <pre>
 *   announce route 192.0.2.10/32 next-hop self
 *   announce route 192.0.2.10/32 next-hop 10.0.0.1 med 100 local-preference 200 origin igp community [65000:1 no-export]
 *   withdraw route 192.0.2.10/32 next-hop self
 * </pre>
 * {@code announce route} needs a next hop, as ExaBGP does. Attributes Gannet cannot
 * originate from this API (as-path, extended communities, path-information, labels, ...)
 * and other commands (flow, vpls, neighbor-scoped lines) are refused with a reason, never
 * ignored. Pure: no I/O.
 */
public final class ExaParser {
    private ExaParser() {}

    /** A line that is not a command Gannet carries out; the message says why, in ExaBGP's terms. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message);
        }
    }

    public static ExaCommand parse(String line) throws Invalid {
        List<String> t = tokens(line);
        if (t.isEmpty()) {
            throw new Invalid("empty line");
        }
        String verb = t.get(0).toLowerCase(Locale.ROOT);
        if (verb.equals("neighbor")) {
            throw new Invalid("neighbor-scoped commands are not supported: Gannet announces to every peer its export policy allows");
        }
        if (!verb.equals("announce") && !verb.equals("withdraw")) {
            throw new Invalid("unknown command '" + t.get(0) + "' (supported: announce route, withdraw route)");
        }
        if (t.size() < 2 || !t.get(1).equalsIgnoreCase("route")) {
            throw new Invalid("'" + verb + " " + (t.size() < 2 ? "" : t.get(1)) + "' is not supported (only " + verb + " route)");
        }
        if (t.size() < 3) {
            throw new Invalid(verb + " route: prefix missing");
        }
        boolean announce = verb.equals("announce");
        String prefix = prefix(t.get(2));
        String nextHop = null;
        boolean haveNextHop = false;
        Long med = null;
        Long localPref = null;
        String origin = null;
        List<String> communities = new ArrayList<>();
        List<String> large = new ArrayList<>();
        for (int i = 3; i < t.size(); i++) {
            String k = t.get(i).toLowerCase(Locale.ROOT);
            if (i + 1 >= t.size()) {
                throw new Invalid("'" + t.get(i) + "' needs a value");
            }
            String v = t.get(++i);
            switch (k) {
                case "next-hop" -> {
                    haveNextHop = true;
                    nextHop = v.equalsIgnoreCase("self") ? null : address(v, "next-hop");
                }
                case "med" -> med = number(v, "med", 0xffffffffL);
                case "local-preference" -> localPref = number(v, "local-preference", 0xffffffffL);
                case "origin" -> {
                    String o = v.toLowerCase(Locale.ROOT);
                    if (!o.equals("igp") && !o.equals("egp") && !o.equals("incomplete")) {
                        throw new Invalid("origin '" + v + "' is not igp, egp or incomplete");
                    }
                    origin = o;
                }
                case "community" -> communities.addAll(list(v, "community", false));
                case "large-community" -> large.addAll(list(v, "large-community", true));
                default -> throw new Invalid("attribute '" + t.get(i - 1) + "' is not supported by Gannet's API"
                        + " (supported: next-hop, med, local-preference, origin, community, large-community)");
            }
        }
        if (announce && !haveNextHop) {
            throw new Invalid("announce route " + prefix + ": next-hop missing (use next-hop self)");
        }
        return new ExaCommand(announce, prefix, nextHop, med, localPref, origin, communities, large);
    }

    /** Splits on spaces, keeping "[a b c]" as one token. */
    static List<String> tokens(String line) throws Invalid {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean bracket = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new Invalid("control character in line");
            }
            if (c == '[') {
                if (bracket) {
                    throw new Invalid("nested '['");
                }
                bracket = true;
            } else if (c == ']') {
                if (!bracket) {
                    throw new Invalid("']' without '['");
                }
                bracket = false;
            }
            if ((c == ' ' || c == '\t') && !bracket) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (bracket) {
            throw new Invalid("'[' without ']'");
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private static String prefix(String p) throws Invalid {
        int slash = p.indexOf('/');
        String a = slash < 0 ? p : p.substring(0, slash);
        String text = address(a, "prefix");
        boolean v6 = text.contains(":");
        int len = v6 ? 128 : 32;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(p.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new Invalid("prefix '" + p + "': bad length");
            }
            if (len < 0 || len > (v6 ? 128 : 32)) {
                throw new Invalid("prefix '" + p + "': length out of range");
            }
        }
        return text + "/" + len;
    }

    private static String address(String s, String what) throws Invalid {
        if (!s.matches("[0-9A-Fa-f.:]+") || (!s.contains(".") && !s.contains(":"))) {
            throw new Invalid(what + " '" + s + "' is not an IP address");
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            // IPv6 in RFC 5952 form ("2001:db8::10"), as the speaker, the pool and the logs print it
            return a instanceof java.net.Inet6Address ? io.gannet.bpf.lb.Ipv6.of(a.getAddress()).format() : a.getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new Invalid(what + " '" + s + "' is not an IP address");
        }
    }

    private static long number(String v, String what, long max) throws Invalid {
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > max) {
                throw new Invalid(what + " " + v + " out of range 0-" + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Invalid(what + " '" + v + "' is not a number");
        }
    }

    private static List<String> list(String v, String what, boolean large) throws Invalid {
        String inner = v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v;
        List<String> out = new ArrayList<>();
        for (String c : inner.trim().split("\\s+")) {
            if (c.isEmpty()) {
                continue;
            }
            String lc = c.toLowerCase(Locale.ROOT);
            if (!large && (lc.equals("no-export") || lc.equals("no-advertise") || lc.equals("no-export-subconfed"))) {
                out.add(lc);
                continue;
            }
            String[] parts = c.split(":");
            if (parts.length != (large ? 3 : 2)) {
                throw new Invalid(what + " '" + c + "' is not " + (large ? "A:B:C" : "A:B or a well-known name"));
            }
            for (String part : parts) {
                number(part, what + " '" + c + "'", large ? 0xffffffffL : 0xffff);
            }
            out.add(c);
        }
        if (out.isEmpty()) {
            throw new Invalid(what + ": empty list");
        }
        return out;
    }
}
