package io.gannet.cluster.k8s.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gannet.cluster.k8s.KubeService;
import io.gannet.cluster.k8s.ServiceDirectory;
import io.gannet.testsupport.KubeApiMock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes API source against fabric8's mock API server in CRUD mode (no real API server
 * can run on these machines): Services and EndpointSlices created, changed and deleted through
 * the API reach the sink as the directory would hand them on; a refused object is reported and
 * the rest apply; an API server that goes away and comes back is caught up with, with few requests
 * while it is away.
 */
class KubeApiServicesTest {
    @TempDir
    Path dir;
    private KubeApiMock mock;
    private KubernetesClient api;
    private KubeApiClient conn;
    private KubeApiServices source;
    private final List<ServiceDirectory.Result> results = new CopyOnWriteArrayList<>();
    private final List<ServiceDirectory.FileError> errors = new CopyOnWriteArrayList<>();
    private final List<String> status = new CopyOnWriteArrayList<>();
    @BeforeEach
    void setUp() {
        mock = new KubeApiMock();
        api = mock.client();
    }

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

    private Path kubeconfig() throws Exception {
        return mock.kubeconfig(dir.resolve("kubeconfig"));
    }

    static Service service(String name, String clusterIp, int port) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp)
                .addNewPort().withName("http").withProtocol("TCP").withPort(port).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build();
    }

    static EndpointSlice slice(String service, String... addresses) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(service + "-1").withNamespace("shop")
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (String a : addresses) {
            b.addNewEndpoint().withAddresses(a).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    private KubeApiServices start() throws Exception {
        conn = KubeApiClient.connect(kubeconfig(), 10, 20, status::add);
        return KubeApiServices.start(conn, Duration.ofMillis(200), results::add, errors::add, status::add);
    }

    private ServiceDirectory.Result last() {
        return results.isEmpty() ? null : results.get(results.size() - 1);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "; last result: " + last() + ", errors: " + errors).isLessThan(end);
            Thread.sleep(20);
        }
    }

    private int backends(String service) {
        ServiceDirectory.Result r = last();
        return r == null ? -1 : r.slices().stream().filter(s -> s.serviceName().equals(service))
                .mapToInt(s -> s.endpoints().size()).sum();
    }

    @Test
    void servicesAndSlicesFollowTheApiAndARefusedObjectIsReportedAlone() throws Exception {
        api.services().inNamespace("shop").resource(service("web", "10.96.0.10", 80)).create();
        api.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("web", "10.2.0.7", "10.2.0.8")).create();
        source = start();

        await("the first list handed on", () -> last() != null && last().services().size() == 1 && backends("web") == 2);
        KubeService web = last().services().get(0);
        assertThat(web.namespace() + "/" + web.name()).isEqualTo("shop/web");
        assertThat(last().complete()).isTrue();
        // The list is handed on once listed; an informer starts its watch just after (synced() wants both).
        await("both informers listed and watching", () -> source.synced());

        // a new Service, a backend added, then one deleted
        api.services().inNamespace("shop").resource(service("api", "10.96.0.11", 81)).create();
        api.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("api", "10.2.0.9")).create();
        api.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("web", "10.2.0.7", "10.2.0.8", "10.2.0.10")).update();
        await("followed", () -> last().services().size() == 2 && backends("web") == 3 && backends("api") == 1);
        api.services().inNamespace("shop").withName("api").delete();
        await("deleted", () -> last().services().size() == 1);

        // an object the reader refuses: reported once with its name and field, the rest still apply
        Service bad = service("broken", "10.96.0.12", 82);
        bad.getMetadata().setAnnotations(java.util.Map.of("gannet.io/lb-algorithm", "fastest"));
        api.services().inNamespace("shop").resource(bad).create();
        api.services().inNamespace("shop").resource(service("cart", "10.96.0.13", 83)).create();
        await("the good one applied", () -> last().services().size() == 2);
        assertThat(last().errors()).singleElement().satisfies(e -> assertThat(e.toString())
                .isEqualTo("kubernetes-api: Service shop/broken: metadata.annotations.gannet.io/lb-algorithm: 'fastest' is not random or maglev"));
        assertThat(errors).hasSize(1);
    }

    @Test
    void anApiServerThatGoesAwayIsWaitedForWithFewRequestsAndCaughtUpWith() throws Exception {
        api.services().inNamespace("shop").resource(service("web", "10.96.0.10", 80)).create();
        source = start();
        await("listed", () -> last() != null && last().services().size() == 1);
        int handedOn = results.size();

        // the API server goes away for 6 s: the last result stays (nothing is handed on), and the
        // client backs off instead of hammering it
        mock.stop();
        long before = conn.requests();
        Thread.sleep(6000);
        long during = conn.requests() - before;
        System.out.println("KubeApiServicesTest: " + during + " requests in 6 s while the API server was away");
        assertThat(during).as("requests while away (back-off with jitter, not a retry storm)").isLessThan(12);
        assertThat(results).hasSize(handedOn);
        assertThat(status).anyMatch(m -> m.contains("does not answer (") && m.contains("keeping what it gave applied"));

        // it comes back on the same port: the watch resumes and what changes from then on is followed.
        // (The mock comes back with an empty store and cannot replay from a resourceVersion or answer
        // 410 Gone as a real API server does, so "web" stays in the informer's copy here.)
        mock.restart();
        api = mock.client();
        api.services().inNamespace("shop").resource(service("api", "10.96.0.11", 81)).create();
        await("followed after the API server returned", () -> last().services().stream().map(KubeService::name).toList()
                .contains("api"));
        assertThat(status).last().asString().endsWith("answers again");
    }

    @Test
    void aBadKubeconfigIsAClearError() throws Exception {
        Path f = dir.resolve("broken");
        Files.writeString(f, "clusters: [this is: not a kubeconfig");
        assertThatThrownBy(() -> KubeApiClient.connect(f, 10, 20, status::add)).hasMessageStartingWith(f.toString());
        assertThatThrownBy(() -> KubeApiClient.connect(dir.resolve("missing"), 10, 20, status::add)).hasMessageContaining("missing");
    }
}
