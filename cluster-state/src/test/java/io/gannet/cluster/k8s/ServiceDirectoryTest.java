package io.gannet.cluster.k8s;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static List<ServiceFrontend> join(ServiceDirectory.Result r) {
        return ServiceCatalog.join(r.services(), r.slices(), "node1");
    }

    private static List<String> frontends(List<ServiceFrontend> fs) {
        return fs.stream().map(f -> f.displayName() + " " + f.kind() + " "
                + (f.address() == null ? "*" : IpLiteral.format(f.address())) + ":" + f.port() + "/" + f.protocol()
                + " -> " + f.backends()).toList();
    }

    @Test
    void servicesJoinTheirSlices() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.errors()).isEmpty();
        assertThat(r.complete()).isTrue();
        assertThat(frontends(join(r))).containsExactly(
                "shop/web:http CLUSTER_IP 10.96.0.10:80/TCP -> [10.2.0.7:8080, 10.2.0.9:8080]",
                "shop/web:http EXTERNAL_IP 192.0.2.10:80/TCP -> [10.2.0.7:8080, 10.2.0.9:8080]",
                "shop/web:dns CLUSTER_IP 10.96.0.10:53/UDP -> [10.2.0.7:5353, 10.2.0.9:5353]",
                "shop/web:dns EXTERNAL_IP 192.0.2.10:53/UDP -> [10.2.0.7:5353, 10.2.0.9:5353]");
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
        List<ServiceFrontend> fs = join(new ServiceDirectory(dir).reload());
        assertThat(fs).singleElement().satisfies(f -> {
            assertThat(f.displayName()).isEqualTo("default/lb");
            assertThat(f.maglev()).isTrue();
            assertThat(f.backends()).isEmpty();
            assertThat(f.protocol()).isEqualTo("TCP");
        });
    }

    @Test
    void badFilesAreReportedAndKeepTheirLastGoodContent() throws IOException {
        ServiceDirectory d = new ServiceDirectory(dir);
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, WEB);
        assertThat(join(d.reload())).hasSize(4);

        Files.writeString(web, WEB.replace("10.96.0.10", "10.96.0.300"));
        ServiceDirectory.Result r = d.reload();
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(web);
            assertThat(e.reason()).contains("spec.clusterIP").contains("10.96.0.300");
            // file:line:column of the field (clusterIP is on line 8, column 3)
            assertThat(e.line()).isEqualTo(8);
            assertThat(e.column()).isEqualTo(3);
            assertThat(e.toString()).startsWith(web + ":8:3: ");
        });
        assertThat(join(r)).as("current state kept").hasSize(4);
        assertThat(r.complete()).as("the broken file has a last good content").isTrue();

        List<String> garbage = List.of(
                "{{{{ not yaml", "- just\n- a list", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}",
                "apiVersion: v2\nkind: Service\nmetadata: {name: x}",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.0.0.1, ports: [{port: 70000}]}",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.0.0.1, ports: [{port: 80, protocol: QUIC}]}",
                "apiVersion: v1\nkind: Service\nspec: {}",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: web}}\naddressType: IPv5",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints: [{addresses: [nope]}]",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.0.0.1, ports: {port: 80}}",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: web}}\naddressType: IPv6\nendpoints: [{addresses: [10.0.0.1]}]",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: x}\n  spec: {clusterIP: 1.2.3}");
        for (int i = 0; i < garbage.size(); i++) {
            Files.writeString(dir.resolve("bad" + i + ".yaml"), garbage.get(i));
        }
        r = d.reload();
        assertThat(r.errors()).hasSize(garbage.size() + 1);
        assertThat(r.errors()).allSatisfy(e -> assertThat(e.reason()).isNotBlank().doesNotContain("Exception"));
        assertThat(r.errors()).filteredOn(e -> e.file().getFileName().toString().startsWith("bad"))
                .allSatisfy(e -> assertThat(e.line()).as(e.toString()).isPositive());
        assertThat(r.errors()).filteredOn(e -> e.file().endsWith("bad12.yaml")).singleElement()
                .satisfies(e -> assertThat(e.toString()).endsWith("bad12.yaml:7:10: document 1 items[0] (Service x): "
                        + "spec.clusterIP: not an IP address: '1.2.3'"));
        assertThat(join(r)).hasSize(4);
        assertThat(r.complete()).as("files that never parsed").isFalse();

        Files.delete(web);
        assertThat(join(d.reload())).as("deleted file's services go").isEmpty();
    }

    @Test
    void kindListAsKubectlWritesIt() throws IOException {
        StringBuilder list = new StringBuilder("apiVersion: v1\nkind: List\nmetadata: {resourceVersion: \"\"}\nitems:\n");
        for (String doc : WEB.split("---\n")) {
            list.append("- ").append(doc.strip().replace("\n", "\n  ")).append("\n");
        }
        Files.writeString(dir.resolve("dump.yaml"), list.toString());
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.errors()).isEmpty();
        assertThat(join(r)).hasSize(4);
    }

    @Test
    void everyServiceFieldIsModelledOrNoted() throws IOException {
        Files.writeString(dir.resolve("lb.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: lb, namespace: shop}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.20
                  clusterIPs: [10.96.0.20, "fd00:96::20"]
                  ipFamilies: [IPv4, IPv6]
                  ipFamilyPolicy: PreferDualStack
                  selector: {app: lb}
                  externalTrafficPolicy: Local
                  internalTrafficPolicy: Local
                  sessionAffinity: ClientIP
                  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
                  loadBalancerSourceRanges: [198.51.100.0/24]
                  healthCheckNodePort: 32000
                  frobnicate: yes
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 31080}
                  - {name: sctp, protocol: SCTP, port: 9, nodePort: 31009}
                status:
                  loadBalancer:
                    ingress: [{ip: 203.0.113.5}, {hostname: lb.example.com}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lb-v4, namespace: shop, labels: {kubernetes.io/service-name: lb}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: [10.2.0.1], nodeName: node1}
                - {addresses: [10.2.0.2], nodeName: node2}
                - {addresses: [10.2.0.3], nodeName: node1, conditions: {ready: false, serving: true, terminating: true}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lb-v6, namespace: shop, labels: {kubernetes.io/service-name: lb}}
                addressType: IPv6
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: ["fd00:2::1"], nodeName: node2}
                """);
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.errors()).isEmpty();
        KubeService s = r.services().getFirst();
        assertThat(s.type()).isEqualTo("LoadBalancer");
        assertThat(s.clusterIps()).hasSize(2);
        assertThat(s.externalTrafficLocal()).isTrue();
        assertThat(s.internalTrafficLocal()).isTrue();
        assertThat(s.affinityTimeoutSeconds()).isEqualTo(60);
        assertThat(s.loadBalancerSourceRanges()).containsExactly("198.51.100.0/24");
        assertThat(s.healthCheckNodePort()).isEqualTo(32000);
        assertThat(s.notes()).anySatisfy(n -> assertThat(n).startsWith("spec.frobnicate: unknown field"))
                .anySatisfy(n -> assertThat(n).contains("lb.example.com"));
        assertThat(frontends(join(r))).containsExactly(
                // internalTrafficPolicy Local: node1's ready endpoint only; the IPv6 slice has none on node1
                "shop/lb:http CLUSTER_IP 10.96.0.20:80/TCP -> [10.2.0.1:8080]",
                "shop/lb:http CLUSTER_IP fd00:96:0:0:0:0:0:20:80/TCP -> []",
                "shop/lb:http LOAD_BALANCER_INGRESS 203.0.113.5:80/TCP -> [10.2.0.1:8080]",
                "shop/lb:http NODE_PORT *:31080/TCP -> [10.2.0.1:8080]",
                "shop/lb:sctp CLUSTER_IP 10.96.0.20:9/SCTP -> []",
                "shop/lb:sctp CLUSTER_IP fd00:96:0:0:0:0:0:20:9/SCTP -> []",
                "shop/lb:sctp LOAD_BALANCER_INGRESS 203.0.113.5:9/SCTP -> []",
                "shop/lb:sctp NODE_PORT *:31009/SCTP -> []");
        assertThat(join(r).getFirst().affinityTimeoutSeconds()).isEqualTo(60);
        assertThat(join(r).get(2).sourceRanges()).containsExactly("198.51.100.0/24");
        assertThat(join(r).getFirst().sourceRanges()).as("source ranges are for external frontends").isEmpty();
    }

    @Test
    void terminatingEndpointsServeOnlyWhenNoneIsReady() throws IOException {
        String slice = """
                apiVersion: v1
                kind: Service
                metadata: {name: t}
                spec: {clusterIP: 10.96.0.30, ports: [{port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: t-1, labels: {kubernetes.io/service-name: t}}
                addressType: IPv4
                ports: [{port: 8080}]
                endpoints:
                - {addresses: [10.2.0.1], conditions: {ready: false, serving: true, terminating: true}}
                - {addresses: [10.2.0.2], conditions: {ready: false, serving: false, terminating: true}}
                """;
        Files.writeString(dir.resolve("t.yaml"), slice + "- {addresses: [10.2.0.3], conditions: {ready: true}}\n");
        ServiceDirectory d = new ServiceDirectory(dir);
        assertThat(frontends(join(d.reload()))).containsExactly("default/t CLUSTER_IP 10.96.0.30:80/TCP -> [10.2.0.3:8080]");
        Files.writeString(dir.resolve("t.yaml"), slice);
        List<ServiceFrontend> fs = join(d.reload());
        assertThat(frontends(fs)).containsExactly("default/t CLUSTER_IP 10.96.0.30:80/TCP -> [10.2.0.1:8080]");
        assertThat(fs.getFirst().terminatingFallback()).isTrue();
    }

    @Test
    void anIpv6SliceNeverChangesTheIpv4Frontends() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Files.writeString(dir.resolve("web6.yaml"), """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-v6, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv6
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints: [{addresses: ["fd00::7"]}]
                """);
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.errors()).isEmpty();
        assertThat(frontends(join(r))).first().isEqualTo("shop/web:http CLUSTER_IP 10.96.0.10:80/TCP -> [10.2.0.7:8080, 10.2.0.9:8080]");
    }

    @Test
    void aFileBrokenSinceStartIsIncomplete() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), "kind: Service\nspec: [this is: not valid");
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.complete()).isFalse();
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e.line()).isEqualTo(2));
    }

    @Test
    void watcherAppliesChanges() throws Exception {
        LinkedBlockingQueue<ServiceDirectory.Result> applied = new LinkedBlockingQueue<>();
        List<ServiceDirectory.FileError> errors = new CopyOnWriteArrayList<>();
        ServiceDirectoryWatcher w = new ServiceDirectoryWatcher(new ServiceDirectory(dir), applied::add, errors::add, 50);
        try (w) {
            w.start();
            assertThat(join(applied.poll(5, TimeUnit.SECONDS))).isEmpty();
            Files.writeString(dir.resolve("web.yaml"), WEB);
            List<ServiceFrontend> got = join(applied.poll(15, TimeUnit.SECONDS));
            while (got.size() < 4) {
                got = join(applied.poll(15, TimeUnit.SECONDS));
            }
            assertThat(got).hasSize(4);
            Files.writeString(dir.resolve("broken.yaml"), "kind: [");
            List<ServiceFrontend> after = join(applied.poll(15, TimeUnit.SECONDS));
            assertThat(after).hasSize(4);
            assertThat(errors).extracting(ServiceDirectory.FileError::file).contains(dir.resolve("broken.yaml"));
        }
    }

    @Test
    void failedApplyIsRetriedWithBackoff() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        LinkedBlockingQueue<ServiceDirectory.Result> applied = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        ServiceDirectoryWatcher w = new ServiceDirectoryWatcher(new ServiceDirectory(dir), r -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("map full (simulated)");
            }
            applied.add(r);
        }, e -> {}, 50);
        try (w) {
            w.start();
            ServiceDirectory.Result got = applied.poll(10, TimeUnit.SECONDS);
            assertThat(join(got)).as("applied after two failures, without any file change").hasSize(4);
            assertThat(calls.get()).isEqualTo(3);
        }
    }
}
