package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MD5 passwords: read from env or file at render time, never printed for a host, never in messages. */
class SecretsTest {
    static final String SECRET = "s3cr3t-do-not-print";

    static LoadedProfile profile(String md5) {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", ProfileText.leaf("per-node", 2, "  bgp: {md5: " + md5 + "}\n"));
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        return p;
    }

    @Test
    void environmentReferenceIsResolvedButOnlyItsNameIsPrinted() throws Exception {
        LoadedProfile p = profile("{env: TP_MD5}");
        NodeConfig n = p.nodeConfig("n1", SecretResolver.fromMap(Map.of("TP_MD5", SECRET)));
        assertThat(n.neighbors().get(0).md5().reveal()).isEqualTo(SECRET);
        assertThat(NodeConfigWriter.yaml(n)).contains("md5: <from env TP_MD5>").doesNotContain(SECRET);
        assertThat(NodeConfigWriter.json(n)).contains("<from env TP_MD5>").doesNotContain(SECRET);
        assertThat(n.toString()).doesNotContain(SECRET);
        assertThat(n.neighbors().get(0).toString()).doesNotContain(SECRET);
        assertThat(n.neighbors().get(0).md5().toString()).isEqualTo("<from env TP_MD5>");
        // Serializing the whole record with Jackson (as a status API might) shows the reference only.
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(n);
        assertThat(json).contains("<from env TP_MD5>").doesNotContain(SECRET);
    }

    @Test
    void fileReferenceIsReadWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, SECRET + "\n");
        // A key file is for gannet's user only (a world-readable one is refused, issue 9).
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        LoadedProfile p = profile("{file: " + key + "}");
        NodeConfig n = p.nodeConfig("n2", SecretResolver.system());
        assertThat(n.neighbors()).allSatisfy(nb -> assertThat(nb.md5().reveal()).isEqualTo(SECRET));
        String frr = p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.system());
        assertThat(frr).contains("neighbor 10.0.1.3 password " + SECRET);
    }

    @Test
    void anUnresolvableReferenceNamesTheReferenceOnly(@TempDir Path dir) throws Exception {
        LoadedProfile p = profile("{env: TP_MISSING}");
        assertThatThrownBy(() -> p.nodeConfig("n1", SecretResolver.fromMap(Map.of())))
                .isInstanceOf(ProfileException.class).hasMessageContaining("environment variable TP_MISSING is not set");
        LoadedProfile f = profile("{file: " + dir.resolve("absent") + "}");
        assertThatThrownBy(() -> f.nodeConfig("n1", SecretResolver.system())).isInstanceOf(ProfileException.class)
                .hasMessageContaining("cannot be read");
    }

    @Test
    void keysLongerThanTcpMd5AllowsOrWithQuotesAreRefusedWithoutShowingThem() {
        LoadedProfile p = profile("{env: TP_MD5}");
        String tooLong = "x".repeat(81);
        assertThatThrownBy(() -> p.nodeConfig("n1", SecretResolver.fromMap(Map.of("TP_MD5", tooLong))))
                .hasMessageContaining("longer than 80 bytes").hasMessageNotContaining(tooLong);
        assertThatThrownBy(() -> p.nodeConfig("n1", SecretResolver.fromMap(Map.of("TP_MD5", "a\"b"))))
                .hasMessageContaining("double quote").hasMessageNotContaining("a\"b");
    }

    @Test
    void referencesOnlyRenderingNeedsNoSecret() throws Exception {
        NodeConfig n = profile("{env: TP_NOT_SET_ANYWHERE}").nodeConfig("n1", SecretResolver.referencesOnly());
        assertThat(n.neighbors().get(0).md5().resolved()).isFalse();
        assertThatThrownBy(() -> n.neighbors().get(0).md5().reveal()).isInstanceOf(IllegalStateException.class);
    }
}
