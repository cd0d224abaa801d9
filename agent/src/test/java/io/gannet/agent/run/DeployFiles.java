package io.gannet.agent.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The metric names the shipped monitoring files query (alert rules and Grafana dashboards), and
 * the names a daemon's /metrics text exports, so the daemon tests that run a feature check the
 * deploy files' names for it against the real thing.
 */
final class DeployFiles {
    static final Path DEPLOY = Path.of(System.getenv().getOrDefault("GANNET_REPO", "..")).resolve("deploy");
    /** Metric names as the files write them; {@code up} is Prometheus's own. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:gannet|bird|jvm|process)_[a-z0-9_]+)");

    private DeployFiles() {}

    /** Every metric name in {@code deploy/prometheus/gannet-rules.yml} and {@code deploy/grafana/*.json}. */
    static Set<String> queriedMetrics() {
        try {
            List<Path> files = new ArrayList<>(List.of(DEPLOY.resolve("prometheus/gannet-rules.yml")));
            try (Stream<Path> s = Files.list(DEPLOY.resolve("grafana"))) {
                s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
            }
            Set<String> queried = new TreeSet<>();
            for (Path f : files) {
                Matcher m = METRIC.matcher(Files.readString(f));
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
            return queried;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The queried names that start with one of {@code prefixes}. */
    static Set<String> queriedMetrics(String... prefixes) {
        Set<String> out = new TreeSet<>();
        for (String n : queriedMetrics()) {
            for (String p : prefixes) {
                if (n.startsWith(p)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The series names in a text exposition: sample names, with their _total/_bucket forms. */
    static Set<String> exportedNames(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** The value of the first sample of {@code name} whose labels contain every {@code labels} pair ({@code k="v"}), or -1. */
    static double sample(String text, String name, String... labels) {
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }
}
