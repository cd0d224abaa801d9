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
        return new VipCatalog(dir, VipPool.of(List.of("203.0.113.0/24")), a -> a == Ipv4.parse("10.92.0.11"),
                a -> a.hi() == 0 && a.lo() == 1);
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
        assertThat(v.backends()).as("the endpoint that is not ready stays configured").containsExactly(
                new WeightedBackend(Backend.of("10.92.0.21", 8080), 3), new WeightedBackend(Backend.of("10.92.0.22", 8080), 0),
                new WeightedBackend(Backend.of("10.92.0.23", 8080), 1));
        assertThat(v.readinessOf(Backend.of("10.92.0.23", 8080))).isEqualTo(Readiness.NOT_READY);
        assertThat(v.serving()).containsExactly(Backend.of("10.92.0.21", 8080), Backend.of("10.92.0.22", 8080));
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

    static final String SLICE6 = """
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: %1$s-v6, namespace: shop, labels: {kubernetes.io/service-name: %1$s}}
            addressType: IPv6
            ports: [{name: http, protocol: TCP, port: 8080}]
            endpoints:
            - addresses: ["fd00:92:0:0::22", "fd00:92::21"]
            - addresses: ["fd00:92::23"]
              conditions: {ready: false}
            - addresses: ["fd00:92::11"]
            """;

    @Test
    void ipv6ExternalIpsAndIngressTakeTheIpv6EndpointsAndTheRestIsRefused() throws Exception {
        Files.writeString(dir.resolve("v6.yaml"), """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web6
                  namespace: shop
                  annotations: {gannet.io/backend-weights: "FD00:92:0::21=3, [fd00:92::22]:9999=0"}
                spec:
                  type: LoadBalancer
                  ipFamilies: [IPv6, IPv4]
                  ipFamilyPolicy: PreferDualStack
                  externalIPs: ["2001:DB8:113:0::10", 203.0.113.50, "2001:db8:999::1"]
                  ports: [{name: http, protocol: TCP, port: 80}]
                status:
                  loadBalancer: {ingress: [{ip: "2001:db8:113::20"}]}
                """ + SLICE.formatted("web6") + SLICE6.formatted("web6") + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: only4, namespace: shop}
                spec: {externalIPs: ["2001:db8:113::30"], ports: [{name: http, protocol: TCP, port: 80}]}
                """ + SLICE.formatted("only4"));
        VipCatalog c = new VipCatalog(dir, VipPool.of(List.of("203.0.113.0/24", "2001:db8:113::/64")),
                a -> false, a -> a.equals(io.gannet.bpf.lb.Ipv6.parse("fd00:92::11")));
        VipCatalog.Result r = c.reload();
        assertThat(r.vips()).extracting(v -> v.frontend().toString()).containsExactly(
                "[2001:db8:113::10]:80/TCP", "203.0.113.50:80/TCP", "[2001:db8:113::20]:80/TCP", "[2001:db8:113::30]:80/TCP");
        VipService v6 = r.vips().get(0);
        assertThat(v6.frontend().ipv6()).isTrue();
        assertThat(v6.backends()).as("IPv6 endpoints only, ready or not, sorted; this host's own refused").containsExactly(
                new WeightedBackend(Backend.of("fd00:92::21", 8080), 3), new WeightedBackend(Backend.of("fd00:92::22", 8080), 1),
                new WeightedBackend(Backend.of("fd00:92::23", 8080), 1));
        assertThat(v6.serving()).containsExactly(Backend.of("fd00:92::21", 8080), Backend.of("fd00:92::22", 8080));
        assertThat(r.vips().get(1).backends()).as("the IPv4 VIP of the same Service takes the IPv4 endpoints")
                .extracting(WeightedBackend::backend)
                .containsExactly(Backend.of("10.92.0.21", 8080), Backend.of("10.92.0.22", 8080), Backend.of("10.92.0.23", 8080));
        assertThat(r.vips().get(3).backends()).isEmpty();
        List<String> what = r.problems().stream().map(Problem::what).toList();
        assertThat(what).contains(
                "VIP 2001:db8:999::1 is outside the profile's VIP pool 203.0.113.0/24, 2001:db8:113::/64: not served",
                "backend [fd00:92::11]:8080 (EndpointSlice web6-v6) is an address of this L4LB host itself: refused, traffic would loop",
                "frontend [2001:db8:113::30]:80/TCP: its EndpointSlices have only IPv4 endpoints; a VIP's backends are of its own"
                        + " family (no NAT46/64): none to serve");
        assertThat(what).noneMatch(w -> w.contains("IPv6 VIPs are not supported"));
    }

    @Test
    void anIpv6VipOutsideAnIpv4OnlyPoolIsRefused() throws Exception {
        Files.writeString(dir.resolve("v6.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web6, namespace: shop}
                spec: {externalIPs: ["2001:db8:113::10"], ports: [{name: http, protocol: TCP, port: 80}]}
                """ + SLICE6.formatted("web6"));
        VipCatalog.Result r = catalog().reload();
        assertThat(r.vips()).isEmpty();
        assertThat(r.problems()).extracting(Problem::what)
                .containsExactly("VIP 2001:db8:113::10 is outside the profile's VIP pool 203.0.113.0/24: not served");
    }

    @Test
    void endpointsThatAreNotReadyOrTerminatingStayConfiguredWithTheirReadiness() throws Exception {
        Path f = dir.resolve("r.yaml");
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {externalIPs: [203.0.113.40], ports: [{name: http, protocol: TCP, port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - addresses: ["10.92.0.21"]
                  conditions: {ready: %1$s}
                - addresses: ["10.92.0.22"]
                  conditions: {ready: false, serving: true, terminating: true}
                - addresses: ["10.92.0.23"]
                  conditions: {ready: false, serving: false, terminating: true}
                - addresses: ["10.92.0.24"]
                  conditions: {ready: false}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-2, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - addresses: ["10.92.0.24"]
                  conditions: {ready: %1$s}
                """;
        Backend b21 = Backend.of("10.92.0.21", 8080);
        Backend b22 = Backend.of("10.92.0.22", 8080);
        Backend b23 = Backend.of("10.92.0.23", 8080);
        Backend b24 = Backend.of("10.92.0.24", 8080);
        Files.writeString(f, service.formatted("true"));
        VipCatalog c = catalog();
        VipService v = c.reload().vips().get(0);
        assertThat(v.backends()).extracting(WeightedBackend::backend).containsExactly(b21, b22, b23, b24);
        assertThat(v.readinessOf(b21)).isEqualTo(Readiness.READY);
        assertThat(v.readinessOf(b22)).isEqualTo(Readiness.TERMINATING_SERVING);
        assertThat(v.readinessOf(b23)).isEqualTo(Readiness.TERMINATING);
        assertThat(v.readinessOf(b24)).as("ready in the other slice (a slice being replaced): the more capable wins")
                .isEqualTo(Readiness.READY);
        assertThat(v.serving()).containsExactly(b21, b24);
        assertThat(v.terminatingFallback()).isFalse();

        // 10.92.0.21 and .24 fail their readiness probes: still configured, the same Maglev base set
        Files.writeString(f, service.formatted("false"));
        VipService after = c.reload().vips().get(0);
        assertThat(after.backends()).isEqualTo(v.backends());
        assertThat(after.readinessOf(b21)).isEqualTo(Readiness.NOT_READY);
        assertThat(after.readinessOf(b24)).isEqualTo(Readiness.NOT_READY);
        assertThat(after.serving()).as("none ready: the terminating endpoint that still serves takes new flows (KEP-1669)")
                .containsExactly(b22);
        assertThat(after.terminatingFallback()).isTrue();
    }
}
