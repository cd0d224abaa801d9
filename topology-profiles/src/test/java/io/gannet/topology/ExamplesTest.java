package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExamplesTest {
    static final SecretResolver SECRETS = SecretResolver.fromMap(Map.of("GANNET_CORE_MD5", "core-secret"));

    @Test
    void printAll() throws Exception {
        for (String f : new String[] {"ibgp-core.yaml", "ebgp-leaf.yaml", "demo.yaml"}) {
            LoadedProfile p = TopologyProfiles.load(Fixtures.example(f));
            p.problems().forEach(System.out::println);
            if (!p.hasErrors()) {
                NodeConfig n = p.nodeConfig(p.hostNames().get(p.hostNames().size() - 1), SecretResolver.referencesOnly());
                System.out.println(NodeConfigWriter.yaml(n));
            }
        }
    }
}
