package io.gannet.l4lb.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.cluster.k8s.api.KubeApiClient;
import io.gannet.cluster.k8s.api.KubeApiServices;
import io.gannet.testsupport.KubeApiMock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An L4LB host's VIPs from the Kubernetes API ({@code gannet run --kube-api} on a host of role
 * l4lb): a LoadBalancer Service and its EndpointSlice created through fabric8's mock API server
 * (CRUD mode) become a VIP with its backends and health check, as from a file; a VIP outside the
 * pool is refused naming the API object; before the first list nothing is read.
 */
class VipCatalogFromApiTest {
    @TempDir
    Path dir;
    private KubeApiMock mock;
    private KubeApiClient conn;
    private KubeApiServices source;

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        if (conn != null) {
            conn.close();
        }
        mock.close();
    }

    private void create(String yaml) {
        mock.apply(yaml);
    }

    private static void await(String what, BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(end);
            Thread.sleep(50);
        }
    }

    @Test
    void vipsFromTheApi() throws Exception {
        mock = new KubeApiMock();
        create("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: shop
                  annotations: {gannet.io/health-check: tcp}
                spec:
                  type: LoadBalancer
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                status:
                  loadBalancer: {ingress: [{ip: 203.0.113.10}]}
                """);
        create("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints: [{addresses: [10.92.0.21]}, {addresses: [10.92.0.22]}]
                """);
        create("""
                apiVersion: v1
                kind: Service
                metadata: {name: elsewhere, namespace: shop}
                spec:
                  externalIPs: [198.51.100.9]
                  ports: [{name: http, protocol: TCP, port: 80}]
                """);
        Path kubeconfig = mock.kubeconfig(dir.resolve("kubeconfig"));
        conn = KubeApiClient.connect(kubeconfig, 10, 20, m -> { });
        source = KubeApiServices.start(conn, Duration.ofMillis(100), r -> { }, e -> { }, m -> { });
        VipCatalog catalog = new VipCatalog(source, VipPool.of(List.of("203.0.113.0/24")), a -> a == Ipv4.parse("10.92.0.11"),
                a -> a.hi() == 0 && a.lo() == 1);

        await("listed", () -> catalog.reload().vips().size() == 1);
        VipCatalog.Result r = catalog.reload();
        VipService v = r.vips().get(0);
        assertThat(v.frontend().toString()).isEqualTo("203.0.113.10:80/TCP");
        assertThat(v.backends()).extracting(WeightedBackend::backend)
                .containsExactly(Backend.of("10.92.0.21", 8080), Backend.of("10.92.0.22", 8080));
        assertThat(v.check().toString()).containsIgnoringCase("tcp");
        assertThat(r.problems()).extracting(Problem::toString).anyMatch(p -> p.contains("kubernetes-api Service shop/elsewhere")
                && p.contains("198.51.100.9 is outside the profile's VIP pool"));
    }
}
