package io.gannet.l4lb.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Ipv4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VIPs from Service and EndpointSlice YAML: sources, annotations, and everything refused. */
class VipCatalogTest {
    @TempDir
    Path dir;

    VipCatalog catalog() {
        return new VipCatalog(dir, VipPool.of(List.of("203.0.113.0/24")), a -> a == Ipv4.parse("10.92.0.11"));
    }

    static final String SLICE = """
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: %1$s-1, namespace: shop, labels: {kubernetes.io/service-name: %1$s}}
            addressType: IPv4
            ports: [{name: http, protocol: TCP, port: 8080}]
            endpoints:
            - addresses: ["10.92.0.21", "10.92.0.22"]
            - addresses: ["10.92.0.23"]
              conditions: {ready: false}
            """;

    @Test
    void externalIpsAndLoadBalancerIngressWithAnnotations() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: shop
                  annotations:
                    gannet.io/health-check: https
                    gannet.io/health-check-path: /healthz
                    gannet.io/health-check-expect: "204"
                    gannet.io/health-check-interval: 2s
                    gannet.io/health-check-timeout: 300ms
                    gannet.io/backend-weights: "10.92.0.21=3, 10.92.0.22:8080=0"
                spec:
                  type: LoadBalancer
                  externalIPs: [203.0.113.20]
                  ports: [{name: http, protocol: TCP, port: 443}]
                status:
                  loadBalancer: {ingress: [{ip: 203.0.113.10}, {hostname: lb.example.com}]}
                """ + SLICE.formatted("web"));
        VipCatalog.Result r = catalog().reload();
        assertThat(r.vips()).extracting(v -> v.frontend().toString()).containsExactly("203.0.113.20:443/TCP", "203.0.113.10:443/TCP");
        VipService v = r.vips().get(0);
        assertThat(v.name()).isEqualTo("shop/web:http");
        assertThat(v.backends()).containsExactly(new WeightedBackend(Backend.of("10.92.0.21", 8080), 3),
                new WeightedBackend(Backend.of("10.92.0.22", 8080), 0));
        assertThat(v.check().type()).isEqualTo(HealthCheckSpec.Type.HTTPS);
        assertThat(v.check().expectStatus()).isEqualTo(204);
        assertThat(v.check().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(v.check().timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(r.problems()).extracting(Problem::what).containsExactly(
                "status.loadBalancer.ingress[1]: no ip (hostname ingress is not supported)");
    }

    @Test
    void refusesOutsideThePoolTheHostItselfBadAnnotationsAndUnsupportedFields() throws Exception {
        Files.writeString(dir.resolve("b.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: out, namespace: shop}
                spec: {externalIPs: [198.51.100.9], ports: [{name: http, protocol: TCP, port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: self, namespace: shop, annotations: {gannet.io/colour: blue}}
                spec:
                  externalIPs: [203.0.113.30]
                  sessionAffinity: ClientIP
                  externalTrafficPolicy: Local
                  ports: [{name: http, protocol: TCP, port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: self-1, namespace: shop, labels: {kubernetes.io/service-name: self}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints: [{addresses: ["10.92.0.11", "10.92.0.21"]}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: bad, namespace: shop, annotations: {gannet.io/health-check-rise: "many"}}
                spec: {externalIPs: [203.0.113.31], ports: [{name: http, protocol: TCP, port: 80}]}
                """);
        VipCatalog.Result r = catalog().reload();
        assertThat(r.vips()).hasSize(1);
        assertThat(r.vips().get(0).backends()).extracting(WeightedBackend::backend).containsExactly(Backend.of("10.92.0.21", 8080));
        List<String> what = r.problems().stream().map(Problem::what).toList();
        assertThat(what).contains(
                "VIP 198.51.100.9 is outside the profile's VIP pool 203.0.113.0/24: not served",
                "backend 10.92.0.11:8080 (EndpointSlice self-1) is an address of this L4LB host itself: refused, traffic would loop",
                "annotation gannet.io/colour is not known: ignored",
                "gannet.io/health-check-rise: 'many' is not a number: Service not served");
        assertThat(what).anyMatch(w -> w.startsWith("spec.sessionAffinity: ClientIP is not supported"));
        assertThat(what).anyMatch(w -> w.startsWith("spec.externalTrafficPolicy: Local is not supported"));
        assertThat(r.problems().get(0).where()).contains("b.yaml: document 1 (Service shop/out)");
    }

    @Test
    void aBrokenFileKeepsItsLastGoodContent() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {externalIPs: [203.0.113.40], ports: [{name: http, protocol: TCP, port: 80}]}
                """ + SLICE.formatted("web"));
        VipCatalog c = catalog();
        assertThat(c.reload().vips()).hasSize(1);
        Files.writeString(f, "kind: Service\nspec: [this is: not valid");
        VipCatalog.Result r = c.reload();
        assertThat(r.vips()).hasSize(1);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.where()).endsWith("c.yaml");
            assertThat(p.what()).endsWith("(keeping its last good content)");
        });
    }
}
