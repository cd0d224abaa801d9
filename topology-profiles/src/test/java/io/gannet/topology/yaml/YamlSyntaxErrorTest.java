package io.gannet.topology.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.validate.Problems;
import org.junit.jupiter.api.Test;

/** A YAML syntax error names the place the parser found it and gives its whole reason. */
class YamlSyntaxErrorTest {
    private static String firstProblem(String text) {
        Problems problems = new Problems();
        assertThat(new YamlTreeReader().read("p.yaml", text, problems)).isEmpty();
        return problems.sorted().getFirst().toString();
    }

    @Test
    void anUnclosedFlowMappingSaysWhatWasExpectedAndWhereTheMappingBegan() {
        String p = firstProblem("""
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata:
                  name: x
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001
                  bgp:
                    holdTime: 9
                """);
        assertThat(p).startsWith("p.yaml:8:")
                .contains("YAML syntax: expected ',' or '}', but got")
                .contains("(while parsing a flow mapping that starts at line 7, column 8)");
    }

    @Test
    void aMisindentedKeyIsReportedWhereItStands() {
        String p = firstProblem("apiVersion: gannet.io/v1alpha1\nkind: TopologyProfile\nmetadata:\n  name: x\n   spec: 3\n");
        assertThat(p).startsWith("p.yaml:5:").contains("YAML syntax: mapping values are not allowed here");
    }

    @Test
    void aTabWhereIndentationIsExpectedIsNamedToo() {
        String p = firstProblem("spec:\n\tmodel: x\n");
        assertThat(p).startsWith("p.yaml:2:").contains("YAML syntax:").doesNotContain("Exception").doesNotContain("null");
    }
}
