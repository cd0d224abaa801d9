package io.gannet.bpf.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kubernetes Service/EndpointSlice YAML to desired frontends, bad files, and the watcher. */
class ServiceDirectoryTest {
    @TempDir
    Path dir;

    static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
            spec:
              type: ClusterIP
              clusterIP: 10.96.0.10
              externalIPs: [192.0.2.10]
              ports:
              - name: http
                protocol: TCP
                port: 80
                targetPort: http-alt
              - name: dns
                protocol: UDP
                port: 53
                targetPort: 5353
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              namespace: shop
              labels:
                kubernetes.io/service-name: web
            addressType: IPv4
            ports:
            - name: http
              protocol: TCP
              port: 8080
            - name: dns
              protocol: UDP
              port: 5353
            endpoints:
            - addresses: ["10.2.0.7"]
              conditions: {ready: true}
            - addresses: ["10.2.0.8"]
              conditions: {ready: false}
            - addresses: ["10.2.0.9"]
            """;

    @Test
    void servicesJoinTheirSlices() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.errors()).isEmpty();
        List<Backend> http = List.of(Backend.of("10.2.0.7", 8080), Backend.of("10.2.0.9", 8080));
        List<Backend> dns = List.of(Backend.of("10.2.0.7", 5353), Backend.of("10.2.0.9", 5353));
        assertThat(r.services()).containsExactly(
                new ServiceSpec("shop/web:http", Frontend.of("10.96.0.10", 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM, http),
                new ServiceSpec("shop/web:http", Frontend.of("192.0.2.10", 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, http),
                new ServiceSpec("shop/web:dns", Frontend.of("10.96.0.10", 53, Protocol.UDP), false, ServiceSpec.Algorithm.RANDOM, dns),
                new ServiceSpec("shop/web:dns", Frontend.of("192.0.2.10", 53, Protocol.UDP), true, ServiceSpec.Algorithm.RANDOM, dns));
    }

    @Test
    void maglevAnnotationAndServiceWithoutEndpoints() throws IOException {
        Files.writeString(dir.resolve("lb.yml"), """
                apiVersion: v1
                kind: Service
                metadata:
                  name: lb
                  annotations: {gannet.io/lb-algorithm: maglev}
                spec:
                  clusterIP: 10.96.1.1
                  ports: [{port: 443}]
                """);
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.services()).containsExactly(new ServiceSpec("default/lb", Frontend.of("10.96.1.1", 443, Protocol.TCP),
                false, ServiceSpec.Algorithm.MAGLEV, List.of()));
    }

    @Test
    void badFilesAreReportedAndKeepTheirLastGoodContent() throws IOException {
        ServiceDirectory d = new ServiceDirectory(dir);
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, WEB);
        assertThat(d.reload().services()).hasSize(4);

        Files.writeString(web, WEB.replace("10.96.0.10", "10.96.0.300"));
        ServiceDirectory.Result r = d.reload();
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(web);
            assertThat(e.reason()).contains("spec.clusterIP").contains("10.96.0.300");
        });
        assertThat(r.services()).as("current state kept").hasSize(4);

        List<String> garbage = List.of(
                "{{{{ not yaml", "- just\n- a list", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}",
                "apiVersion: v2\nkind: Service\nmetadata: {name: x}",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.0.0.1, ports: [{port: 70000}]}",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.0.0.1, ports: [{port: 80, protocol: SCTP}]}",
                "apiVersion: v1\nkind: Service\nspec: {}",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: web}}\naddressType: IPv6",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints: [{addresses: [nope]}]",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.0.0.1, ports: {port: 80}}");
        for (int i = 0; i < garbage.size(); i++) {
            Files.writeString(dir.resolve("bad" + i + ".yaml"), garbage.get(i));
        }
        r = d.reload();
        assertThat(r.errors()).hasSize(garbage.size() + 1);
        assertThat(r.errors()).allSatisfy(e -> assertThat(e.reason()).isNotBlank());
        assertThat(r.services()).hasSize(4);

        Files.delete(web);
        assertThat(d.reload().services()).as("deleted file's services go").isEmpty();
    }

    @Test
    void watcherAppliesChanges() throws Exception {
        LinkedBlockingQueue<List<ServiceSpec>> applied = new LinkedBlockingQueue<>();
        List<ServiceDirectory.FileError> errors = new CopyOnWriteArrayList<>();
        ServiceDirectoryWatcher w = new ServiceDirectoryWatcher(new ServiceDirectory(dir), applied::add, errors::add, 50);
        try (w) {
            w.start();
            assertThat(applied.poll(5, TimeUnit.SECONDS)).isEmpty();
            Files.writeString(dir.resolve("web.yaml"), WEB);
            List<ServiceSpec> got = applied.poll(15, TimeUnit.SECONDS);
            while (got != null && got.size() < 4) {
                got = applied.poll(15, TimeUnit.SECONDS);
            }
            assertThat(got).hasSize(4);
            Files.writeString(dir.resolve("broken.yaml"), "kind: [");
            List<ServiceSpec> after = applied.poll(15, TimeUnit.SECONDS);
            assertThat(after).hasSize(4);
            assertThat(errors).extracting(ServiceDirectory.FileError::file).contains(dir.resolve("broken.yaml"));
        }
    }

    @Test
    void failedApplyIsRetriedWithBackoff() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        LinkedBlockingQueue<List<ServiceSpec>> applied = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        ServiceDirectoryWatcher w = new ServiceDirectoryWatcher(new ServiceDirectory(dir), specs -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("map full (simulated)");
            }
            applied.add(specs);
        }, e -> {}, 50);
        try (w) {
            w.start();
            List<ServiceSpec> got = applied.poll(10, TimeUnit.SECONDS);
            assertThat(got).as("applied after two failures, without any file change").hasSize(4);
            assertThat(calls.get()).isEqualTo(3);
        }
    }
}
