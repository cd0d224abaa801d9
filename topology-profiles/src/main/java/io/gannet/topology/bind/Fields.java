package io.gannet.topology.bind;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.IpAddresses;
import io.gannet.topology.validate.Problems;
import io.gannet.topology.yaml.Location;
import io.gannet.topology.yaml.YNode;
import io.gannet.topology.yaml.YNode.ScalarKind;
import io.gannet.topology.yaml.YNode.YList;
import io.gannet.topology.yaml.YNode.YMap;
import io.gannet.topology.yaml.YNode.YScalar;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Typed access to one YAML mapping of the profile. Every getter reports what is wrong with
 * the value at its location and returns null, so binding continues and all problems of a
 * file are collected in one pass. Unknown keys are reported on construction, with a
 * "did you mean" hint when a known key is one or two edits away.
 */
final class Fields {
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("-?(0|[1-9][0-9]{0,18})");
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private final YMap map;
    private final Problems problems;
    private final String context;

    Fields(YMap map, Problems problems, String context, String... allowedKeys) {
        this.map = map;
        this.problems = problems;
        this.context = context;
        Set<String> allowed = Set.of(allowedKeys);
        for (Map.Entry<String, Location> key : map.keyLocations().entrySet()) {
            if (!allowed.contains(key.getKey())) {
                problems.error(key.getValue(), "unknown key '" + key.getKey() + "' in " + context + suggestion(key.getKey(), allowedKeys));
            }
        }
    }

    /** Wraps {@code node} if it is a mapping; reports and returns null otherwise. */
    static Fields of(YNode node, Problems problems, String context, String... allowedKeys) {
        if (node instanceof YMap m) {
            return new Fields(m, problems, context, allowedKeys);
        }
        problems.error(node.location(), context + " must be a mapping, got " + node.typeName());
        return null;
    }

    YMap map() {
        return map;
    }

    Location at() {
        return map.location();
    }

    Location at(String key) {
        return map.locationOf(key);
    }

    boolean has(String key) {
        return map.entries().containsKey(key);
    }

    YNode node(String key, boolean required) {
        YNode n = map.entries().get(key);
        if (n == null && required) {
            problems.error(map.location(), "missing required key '" + key + "' in " + context);
        }
        return n;
    }

    String string(String key, boolean required) {
        YNode n = node(key, required);
        return n == null ? null : asString(n, key);
    }

    String asString(YNode n, String what) {
        if (n instanceof YScalar s && s.kind() == ScalarKind.STRING && !s.text().isEmpty()) {
            return s.text();
        }
        problems.error(n.location(), what + " must be a non-empty string, got " + describe(n));
        return null;
    }

    /** A name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters. */
    String name(String key, boolean required) {
        YNode n = node(key, required);
        if (n == null) {
            return null;
        }
        String s = n instanceof YScalar sc && sc.kind() == ScalarKind.INTEGER ? sc.text() : asString(n, key);
        if (s != null && !NAME.matcher(s).matches()) {
            problems.error(n.location(), key + " '" + s + "' must be 1-63 letters, digits, '.', '_' or '-' starting with a letter or digit");
            return null;
        }
        return s;
    }

    /** A Linux interface name: 1-15 characters, no '/', whitespace or NUL (IFNAMSIZ). */
    String asInterfaceName(YNode n, String what) {
        String s = n instanceof YScalar sc && sc.kind() == ScalarKind.INTEGER ? sc.text() : asString(n, what);
        if (s != null && !INTERFACE.matcher(s).matches()) {
            problems.error(n.location(), what + " '" + s + "' is not an interface name: 1-15 letters, digits, '.', '_', '-', ':' or '@'");
            return null;
        }
        return s;
    }

    private static final java.util.regex.Pattern INTERFACE = java.util.regex.Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    Long integer(String key, boolean required, long min, long max) {
        YNode n = node(key, required);
        return n == null ? null : asInteger(n, key, min, max);
    }

    Long asInteger(YNode n, String what, long min, long max) {
        if (!(n instanceof YScalar s) || s.kind() != ScalarKind.INTEGER) {
            problems.error(n.location(), what + " must be an integer, got " + describe(n));
            return null;
        }
        long v;
        try {
            // Plain decimal only: YAML 1.1 reads 010 as octal and allows 0x1F and 1_000; editors
            // using the schema (YAML 1.2) would read them differently, so they are refused.
            if (!DECIMAL.matcher(s.text()).matches()) {
                throw new NumberFormatException();
            }
            v = Long.parseLong(s.text());
        } catch (NumberFormatException e) {
            problems.error(n.location(), what + " must be a decimal integer between " + min + " and " + max + ", got " + s.text());
            return null;
        }
        if (v < min || v > max) {
            problems.error(n.location(), what + " must be between " + min + " and " + max + ", got " + v);
            return null;
        }
        return v;
    }

    Integer int32(String key, boolean required, int min, int max) {
        Long v = integer(key, required, min, max);
        return v == null ? null : v.intValue();
    }

    Boolean bool(String key) {
        YNode n = node(key, false);
        if (n == null) {
            return null;
        }
        if (n instanceof YScalar s && s.kind() == ScalarKind.BOOLEAN) {
            if (s.text().equalsIgnoreCase("true") || s.text().equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s.text());
            }
            problems.error(n.location(), key + " must be true or false, got '" + s.text() + "' (a YAML 1.1 spelling that editors read as a string)");
            return null;
        }
        problems.error(n.location(), key + " must be true or false, got " + describe(n));
        return null;
    }

    <E> E choice(String key, boolean required, Map<String, E> values) {
        YNode n = node(key, required);
        if (n == null) {
            return null;
        }
        if (n instanceof YScalar s && s.kind() == ScalarKind.STRING && values.containsKey(s.text())) {
            return values.get(s.text());
        }
        String allowed = values.keySet().stream().sorted().collect(Collectors.joining(", "));
        problems.error(n.location(), key + " must be one of " + allowed + ", got " + describe(n));
        return null;
    }

    Fields sub(String key, boolean required, String subContext, String... allowedKeys) {
        YNode n = node(key, required);
        return n == null ? null : of(n, problems, subContext, allowedKeys);
    }

    /** The items of a list value; a scalar is refused (no silent one-element lists). */
    List<YNode> list(String key, boolean required) {
        YNode n = node(key, required);
        if (n == null) {
            return null;
        }
        if (n instanceof YList l) {
            return l.items();
        }
        problems.error(n.location(), key + " must be a list, got " + describe(n));
        return null;
    }

    InetAddress address(String key, boolean required) {
        YNode n = node(key, required);
        return n == null ? null : asAddress(n, key);
    }

    InetAddress asAddress(YNode n, String what) {
        String s = asString(n, what);
        if (s == null) {
            return null;
        }
        Optional<InetAddress> a = IpAddresses.parse(s);
        if (a.isEmpty()) {
            problems.error(n.location(), what + " '" + s + "' is not an IPv4 or IPv6 address literal");
            return null;
        }
        InetAddress v = a.get();
        if (v.isAnyLocalAddress() || v.isMulticastAddress() || isBroadcast(v)) {
            problems.error(n.location(), what + " " + s + " cannot be a BGP endpoint (unspecified, multicast or broadcast)");
            return null;
        }
        return v;
    }

    Inet4Address routerId(String key) {
        YNode n = node(key, false);
        if (n == null) {
            return null;
        }
        String s = asString(n, key);
        if (s == null) {
            return null;
        }
        Optional<InetAddress> a = IpAddresses.parse(s);
        if (a.isEmpty() || !(a.get() instanceof Inet4Address v4) || v4.isAnyLocalAddress()) {
            problems.error(n.location(), key + " must be a non-zero dotted-quad IPv4 value (RFC 6286), got '" + s + "'");
            return null;
        }
        return v4;
    }

    /** A canonical prefix; {@code bareIsHost} accepts a plain address as /32 or /128. */
    Cidr asCidr(YNode n, String what, boolean bareIsHost) {
        String s = asString(n, what);
        if (s == null) {
            return null;
        }
        Optional<Cidr.Parsed> p = Cidr.parse(s, bareIsHost);
        if (p.isEmpty()) {
            problems.error(n.location(), what + " '" + s + "' is not a prefix like 10.244.0.0/24");
            return null;
        }
        if (p.get().hostBitsWereSet()) {
            problems.error(n.location(), what + " '" + s + "' has host bits set; did you mean " + p.get().cidr() + "?");
            return null;
        }
        return p.get().cidr();
    }

    Problems problems() {
        return problems;
    }

    String context() {
        return context;
    }

    private static boolean isBroadcast(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && b[0] == (byte) 255 && b[1] == (byte) 255 && b[2] == (byte) 255 && b[3] == (byte) 255;
    }

    static String describe(YNode n) {
        if (n instanceof YScalar s && s.kind() != ScalarKind.NULL) {
            String t = s.text().length() > 40 ? s.text().substring(0, 40) + "..." : s.text();
            return n.typeName() + " '" + t + "'";
        }
        return n.typeName();
    }

    private static String suggestion(String unknown, String[] allowed) {
        return Arrays.stream(allowed)
                .filter(k -> editDistance(k.toLowerCase(), unknown.toLowerCase()) <= 2)
                .min(Comparator.comparingInt(k -> editDistance(k.toLowerCase(), unknown.toLowerCase())))
                .map(k -> "; did you mean '" + k + "'?")
                .orElse("; allowed: " + String.join(", ", allowed));
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
