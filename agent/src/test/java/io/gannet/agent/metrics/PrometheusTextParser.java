package io.gannet.agent.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test code: a strict parser of the Prometheus text exposition format 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats), written from the format's grammar:
 *
 * <pre>
 * # HELP metric_name docstring            (escapes: \\ and \n)
 * # TYPE metric_name counter|gauge|histogram|summary|untyped
 * metric_name [ "{" label_name "=" '"' label_value '"' { "," ... } [ "," ] "}" ] value [ timestamp ]
 * </pre>
 *
 * It rejects what a Prometheus server would reject: bad names, unterminated or badly escaped
 * label values, duplicate labels, a TYPE after samples of its family, a family split into
 * several groups, duplicate series, and non-cumulative histograms.
 */
public final class PrometheusTextParser {
    public record Sample(String name, Map<String, String> labels, double value) {}

    public record Family(String name, String type, String help, List<Sample> samples) {}

    public static final class ParseException extends RuntimeException {
        ParseException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private PrometheusTextParser() {}

    public static Map<String, Family> parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        Set<String> closedFamilies = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String currentFamily = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] t = line.split("[ \t]+", 4);
                if (t.length >= 3 && t[1].equals("TYPE")) {
                    checkMetricName(n, t[2]);
                    if (t.length < 4 || !Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(t[3].trim())) {
                        throw new ParseException(n, "bad TYPE line: " + line);
                    }
                    if (types.containsKey(t[2]) || samples.containsKey(t[2])) {
                        throw new ParseException(n, "TYPE for " + t[2] + " after its samples or twice");
                    }
                    types.put(t[2], t[3].trim());
                } else if (t.length >= 3 && t[1].equals("HELP")) {
                    checkMetricName(n, t[2]);
                    if (helps.containsKey(t[2])) {
                        throw new ParseException(n, "second HELP for " + t[2]);
                    }
                    helps.put(t[2], t.length < 4 ? "" : unescapeHelp(n, t[3]));
                }
                continue;
            }
            Sample s = parseSample(n, line);
            String family = familyOf(s.name(), types);
            if (!family.equals(currentFamily)) {
                if (closedFamilies.contains(family)) {
                    throw new ParseException(n, "samples of " + family + " are not in one group");
                }
                if (currentFamily != null) {
                    closedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            if (!seenSeries.add(s.name() + s.labels())) {
                throw new ParseException(n, "duplicate series " + s.name() + s.labels());
            }
            samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
            String type = types.getOrDefault(e.getKey(), "untyped");
            Family f = new Family(e.getKey(), type, helps.get(e.getKey()), Collections.unmodifiableList(e.getValue()));
            if (type.equals("histogram")) {
                checkHistogram(f);
            }
            out.put(e.getKey(), f);
        }
        return out;
    }

    /** A histogram's _bucket/_sum/_count and a counter's _total belong to the TYPE'd base name. */
    private static String familyOf(String name, Map<String, String> types) {
        for (String suffix : new String[] {"_bucket", "_sum", "_count", "_total", "_created", "_info"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String t = types.get(base);
                if (t != null && !t.equals("gauge") && !t.equals("untyped")) {
                    return base;
                }
            }
        }
        return name;
    }

    private static Sample parseSample(int n, String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        String name = line.substring(0, i);
        checkMetricName(n, name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                i = skipBlanks(line, i);
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < line.length() && line.charAt(i) != '=' && line.charAt(i) != ' ') {
                    i++;
                }
                String label = line.substring(start, i);
                if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                    throw new ParseException(n, "bad label name '" + label + "'");
                }
                i = skipBlanks(line, i);
                if (i >= line.length() || line.charAt(i) != '=') {
                    throw new ParseException(n, "expected '=' after label " + label);
                }
                i = skipBlanks(line, i + 1);
                if (i >= line.length() || line.charAt(i) != '"') {
                    throw new ParseException(n, "label value of " + label + " is not quoted");
                }
                StringBuilder v = new StringBuilder();
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new ParseException(n, "unterminated label value of " + label);
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (i >= line.length()) {
                            throw new ParseException(n, "dangling escape in " + label);
                        }
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new ParseException(n, "bad escape \\" + e + " in " + label);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) {
                    throw new ParseException(n, "duplicate label " + label);
                }
                i = skipBlanks(line, i);
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                } else {
                    throw new ParseException(n, "expected ',' or '}' after label " + label);
                }
            }
        }
        String[] rest = line.substring(i).trim().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new ParseException(n, "expected value [timestamp] in: " + line);
        }
        double value = parseValue(n, rest[0]);
        if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) {
            throw new ParseException(n, "bad timestamp " + rest[1]);
        }
        return new Sample(name, Collections.unmodifiableMap(labels), value);
    }

    private static double parseValue(int n, String s) {
        switch (s) {
            case "NaN": return Double.NaN;
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default: break;
        }
        if (!s.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
            throw new ParseException(n, "bad value '" + s + "'");
        }
        return Double.parseDouble(s);
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> base = new LinkedHashMap<>(s.labels());
            if (s.name().equals(f.name() + "_bucket")) {
                if (base.remove("le") == null) {
                    throw new ParseException(0, f.name() + "_bucket without le");
                }
                bySeries.computeIfAbsent(base, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(base, s.value());
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : bySeries.entrySet()) {
            double prevLe = Double.NEGATIVE_INFINITY;
            double prevCount = 0;
            for (Sample b : e.getValue()) {
                double le = parseValue(0, b.labels().get("le"));
                if (le <= prevLe || b.value() < prevCount) {
                    throw new ParseException(0, f.name() + " buckets are not increasing and cumulative at le=" + le);
                }
                prevLe = le;
                prevCount = b.value();
            }
            if (prevLe != Double.POSITIVE_INFINITY) {
                throw new ParseException(0, f.name() + " has no +Inf bucket");
            }
            Double count = counts.get(e.getKey());
            if (count == null || count != prevCount) {
                throw new ParseException(0, f.name() + "_count " + count + " differs from the +Inf bucket " + prevCount);
            }
        }
    }

    private static void checkMetricName(int n, String name) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new ParseException(n, "bad metric name '" + name + "'");
        }
    }

    private static String unescapeHelp(int n, String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                switch (e) {
                    case '\\' -> b.append('\\');
                    case 'n' -> b.append('\n');
                    default -> b.append('\\').append(e);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** The one sample of {@code name} whose labels include all of {@code match}. */
    public static Sample find(Map<String, Family> families, String name, String... match) {
        List<Sample> hits = new ArrayList<>();
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (!s.name().equals(name)) {
                    continue;
                }
                boolean ok = true;
                for (int i = 0; i + 1 < match.length; i += 2) {
                    ok &= match[i + 1].equals(s.labels().get(match[i]));
                }
                if (ok) {
                    hits.add(s);
                }
            }
        }
        if (hits.size() != 1) {
            throw new AssertionError(hits.size() + " samples of " + name + " match " + List.of(match) + ": " + hits);
        }
        return hits.get(0);
    }
}
