package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.topology.validate.Problem;
import org.junit.jupiter.api.Test;

/** {@code spec.maglev.tableSize}: one Maglev table size for every host of the fabric. */
class MaglevTableSizeProfileTest {
    private static final String TEXT = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: maglev}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              vipPool: [203.0.113.0/24]
              MAGLEV
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.0.0.1], asn: 4200100001}
                hosts:
                  - {name: lb1, address: 10.0.1.2, role: l4lb}
            """;

    @Test
    void theDefaultIsTheMaglevPapersPrimeAndAPrimeOfTheRangeIsTaken() throws Exception {
        assertThat(ResolutionTest.parse(TEXT.replace("MAGLEV", "")).maglevTableSize()).isEqualTo(65537);
        String small = TEXT.replace("MAGLEV", "maglev: {tableSize: 251}");
        assertThat(SchemaTest.SCHEMA.validate(new YAMLMapper().readTree(small))).isEmpty();
        assertThat(ResolutionTest.parse(small).maglevTableSize()).isEqualTo(251);
        assertThat(ResolutionTest.parse(TEXT.replace("MAGLEV", "maglev: {tableSize: 1048391}")).maglevTableSize()).isEqualTo(1048391);
    }

    @Test
    void aSizeThatIsNotAPrimeOfTheRangeIsReportedWhereItIsWritten() {
        for (String bad : new String[] {"65536", "199", "1048573", "\"big\""}) {
            LoadedProfile p = TopologyProfiles.parse("t.yaml", TEXT.replace("MAGLEV", "maglev: {tableSize: " + bad + "}"));
            assertThat(p.problems()).filteredOn(Problem::isError).extracting(Problem::toString).as(bad)
                    .anyMatch(m -> m.startsWith("t.yaml:8:") && m.contains("tableSize"));
        }
        LoadedProfile unknown = TopologyProfiles.parse("t.yaml", TEXT.replace("MAGLEV", "maglev: {size: 251}"));
        assertThat(unknown.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("unknown key 'size'"));
    }
}
