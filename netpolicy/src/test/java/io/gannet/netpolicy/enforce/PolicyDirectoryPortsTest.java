package io.gannet.netpolicy.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.netpolicy.model.Endpoint;
import io.gannet.netpolicy.model.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pod objects of the policy directory give their named container ports (containers' and
 * initContainers'), which policies' named ports resolve to; a bad port refuses the file with
 * file:line:column, and the previous version stays.
 */
class PolicyDirectoryPortsTest {
    @TempDir
    Path dir;

    @Test
    void podsGiveTheirNamedContainerPorts() throws Exception {
        Path f = dir.resolve("pods.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: db, labels: {app: db}}
                spec:
                  initContainers:
                  - {name: proxy, ports: [{name: admin, containerPort: 15000}]}
                  containers:
                  - name: db
                    ports:
                    - {name: sql, containerPort: 5432}
                    - {name: stats, containerPort: 9187, protocol: UDP}
                    - {containerPort: 8080}
                """);
        PolicyDirectory d = new PolicyDirectory(dir);
        PolicyDirectory.Result r = d.reload();
        assertThat(r.problems()).isEmpty();
        assertThat(r.podNamedPorts().get("shop/db")).isEqualTo(Map.of(
                "sql", new Endpoint.NamedPort(5432, Protocol.TCP),
                "stats", new Endpoint.NamedPort(9187, Protocol.UDP),
                "admin", new Endpoint.NamedPort(15000, Protocol.TCP)));

        Files.writeString(f, """
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: db, labels: {app: db}}
                spec:
                  containers:
                  - name: db
                    ports: [{name: sql, containerPort: 70000}, {name: x, containerPort: 1, protocol: ICMP}]
                """);
        r = d.reload();
        assertThat(r.problems()).hasSize(1);
        assertThat(r.problems().get(0).errors()).containsExactly(
                f + ":1:1: Pod db: spec.containers[0].ports[0].containerPort: a port number 1-65535 is required",
                f + ":1:1: Pod db: spec.containers[0].ports[1].protocol: TCP, UDP or SCTP, not 'ICMP'");
        assertThat(r.podNamedPorts().get("shop/db")).as("the previous version stays").containsKey("sql");
    }
}
