package io.gannet.netpolicy.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gannet.cluster.k8s.api.KubeApiClient;
import io.gannet.netpolicy.model.Policy;
import io.gannet.testsupport.KubeApiMock;
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
 * Network policy's objects from the Kubernetes API (fabric8's mock API server in CRUD mode, as
 * no API server runs here): NetworkPolicy, CiliumNetworkPolicy, this node's Pods (labels, named
 * ports) and Namespaces reach the enforcer in the form the policy directory gives them; an object
 * that turns invalid keeps its last valid version in force (fail closed) and is reported.
 */
class KubeApiPoliciesTest {
    @TempDir
    Path dir;
    private KubeApiMock mock;
    private KubernetesClient api;
    private KubeApiClient conn;
    private KubeApiPolicies source;
    private final List<PolicyDirectory.Result> results = new CopyOnWriteArrayList<>();
    private final List<String> status = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        mock = new KubeApiMock();
        api = mock.client();
        conn = KubeApiClient.connect(mock.kubeconfig(dir.resolve("kubeconfig")), 10, 20, status::add);
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        conn.close();
        mock.close();
    }

    private void create(String yaml) {
        HasMetadata o = api.getKubernetesSerialization().unmarshal(yaml);
        if (o instanceof GenericKubernetesResource g) { // the mock serves Cilium's kinds by their fixed definition
            api.genericKubernetesResources(KubeApiPolicies.CILIUM_NETWORK_POLICY).inNamespace(g.getMetadata().getNamespace())
                    .resource(g).createOr(x -> x.update());
        } else {
            mock.apply(yaml);
        }
    }

    private PolicyDirectory.Result last() {
        return results.isEmpty() ? null : results.get(results.size() - 1);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "; last: " + last() + "; status: " + status).isLessThan(end);
            Thread.sleep(20);
        }
    }

    private static final String POLICY = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db-from-web, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: db}}
              policyTypes: [Ingress]
              ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{protocol: TCP, port: %s}]
            """;

    @Test
    void policyObjectsFollowTheApiAndAnObjectTurnedInvalidKeepsItsLastValidVersion() throws Exception {
        create("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {team: a}}
                """);
        create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: db-0, namespace: shop, labels: {app: db}}
                spec:
                  nodeName: node1
                  containers: [{name: pg, image: postgres, ports: [{name: pg, containerPort: 5432}]}]
                """);
        create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web-0, namespace: shop, labels: {app: web}}
                spec: {nodeName: node2, containers: [{name: web, image: nginx}]}
                """);
        create(POLICY.formatted("5432"));
        // the mock implements no field selector on spec.nodeName: every pod is watched, this node's kept
        source = KubeApiPolicies.start(conn, "node1", false, Duration.ofMillis(100), results::add, status::add);

        await("the first lists handed on", () -> last() != null && last().policies().size() == 1);
        PolicyDirectory.Result r = last();
        assertThat(r.policies()).extracting(Policy::name).containsExactly("db-from-web");
        assertThat(r.podLabels()).as("this node's pods only").containsOnlyKeys("shop/db-0");
        assertThat(r.podLabels().get("shop/db-0")).containsEntry("app", "db");
        assertThat(r.podNamedPorts().get("shop/db-0")).containsKey("pg");
        assertThat(r.namespaceLabels().get("shop")).containsEntry("team", "a");
        assertThat(r.problems()).isEmpty();

        // a CiliumNetworkPolicy joins
        create("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: web-egress, namespace: shop}
                spec:
                  endpointSelector: {matchLabels: {app: web}}
                  egress: [{toEndpoints: [{matchLabels: {app: db}}]}]
                """);
        await("the CiliumNetworkPolicy", () -> last().policies().size() == 2);

        // the NetworkPolicy turns invalid (the mock does not validate as an API server would):
        // its last valid version stays in force, and it is reported
        create(POLICY.formatted("99999"));
        await("reported", () -> !last().problems().isEmpty());
        assertThat(last().problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo("kubernetes-api NetworkPolicy shop/db-from-web");
            assertThat(p.keptPrevious()).isTrue();
        });
        assertThat(last().policies()).extracting(Policy::name).contains("db-from-web", "web-egress");
        assertThat(status).anyMatch(s -> s.contains("NetworkPolicy shop/db-from-web") && s.contains("stays in force"));

        // deleted: gone
        api.network().v1().networkPolicies().inNamespace("shop").withName("db-from-web").delete();
        await("deleted", () -> last().policies().size() == 1 && last().problems().isEmpty());
    }
}
