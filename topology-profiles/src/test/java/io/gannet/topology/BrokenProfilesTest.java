package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.validate.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code src/test/resources/broken} states its expected problems inline:
 * a trailing {@code # expect: error: TEXT} (or {@code warning:}) comment on the line where
 * the problem must be reported. The test demands exactly those problems: each expectation is
 * matched by a problem on that line whose message contains TEXT, and no problem is left over.
 */
class BrokenProfilesTest {

    record Expectation(int line, Problem.Severity severity, String text) {}

    static Stream<String> files() throws IOException {
        try (Stream<Path> s = Files.list(Fixtures.broken(""))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void reportsExactlyTheExpectedProblems(String name) throws IOException {
        Path file = Fixtures.broken(name);
        List<Expectation> expected = expectations(file);
        assertThat(expected).as("a broken profile states at least one expectation").isNotEmpty();
        LoadedProfile p = TopologyProfiles.load(file);
        List<Problem> left = new ArrayList<>(p.problems());
        for (Expectation e : expected) {
            Problem match = left.stream()
                    .filter(pr -> pr.location().line() == e.line() && pr.severity() == e.severity() && pr.message().contains(e.text()))
                    .findFirst().orElse(null);
            assertThat(match).as("%s:%d expected %s containing \"%s\"; got:%n%s", name, e.line(), e.severity(), e.text(),
                    String.join("\n", p.problems().stream().map(Problem::toString).toList())).isNotNull();
            assertThat(match.location().file()).isEqualTo(file.toString());
            assertThat(match.location().column()).isPositive();
            left.remove(match);
        }
        assertThat(left).as("unexpected problems in %s", name).isEmpty();
        boolean expectsErrors = expected.stream().anyMatch(e -> e.severity() == Problem.Severity.ERROR);
        assertThat(p.hasErrors()).isEqualTo(expectsErrors);
    }

    static List<Expectation> expectations(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Expectation> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] parts = lines.get(i).split("# expect: ");
            for (int k = 1; k < parts.length; k++) {
                String part = parts[k].trim();
                Problem.Severity sev = part.startsWith("warning:") ? Problem.Severity.WARNING : Problem.Severity.ERROR;
                out.add(new Expectation(i + 1, sev, part.substring(part.indexOf(':') + 1).trim()));
            }
        }
        return out;
    }
}
