package io.gannet.topology.validate;

import io.gannet.topology.yaml.Location;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every problem of a profile instead of stopping at the first. Not thread-safe:
 * one instance belongs to one load.
 */
public final class Problems {
    private final Set<Problem> problems = new LinkedHashSet<>();

    public void error(Location at, String message) {
        problems.add(new Problem(Problem.Severity.ERROR, at, message));
    }

    public void warning(Location at, String message) {
        problems.add(new Problem(Problem.Severity.WARNING, at, message));
    }

    public void addAll(Iterable<Problem> others) {
        others.forEach(problems::add);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    /** All problems in file order. */
    public List<Problem> sorted() {
        List<Problem> out = new ArrayList<>(problems);
        out.sort(null);
        return List.copyOf(out);
    }
}
