package io.gannet.agent.run;

import static io.gannet.agent.run.DaemonServicesTest.awaitServices;
import static io.gannet.agent.run.DaemonServicesTest.backendsOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gannet.bpf.Datapath;
import io.gannet.testsupport.KubeApiMock;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gannet run --kube-api KUBECONFIG}: the daemon takes its Services and EndpointSlices from
 * the Kubernetes API instead of a directory. No API server can run on these machines, so the API
 * is fabric8's mock server in CRUD mode, in this test's JVM, reached over HTTP through the
 * kubeconfig a user would write. Objects created, changed and deleted through the API are
 * programmed into the eBPF datapath ({@code gannet show services}); a Service the readers refuse
 * is logged by name and the rest apply.
 */
class DaemonKubeApiTest {
    @TempDir
    Path dir;
    private GannetProcess gannet;
    private Path pinRoot;
    private KubeApiMock mock;
    private KubernetesClient api;

    @AfterEach
    void tearDown() throws Exception {
        if (gannet != null) {
            gannet.close();
        }
        if (pinRoot != null) {
            Datapath.removePins(pinRoot);
        }
        if (mock != null) {
            mock.close();
        }
    }

    private static Service service(String name, String clusterIp) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp)
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                .endSpec().build();
    }

    private static EndpointSlice slice(String service, String... addresses) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(service + "-1").withNamespace("shop")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (String a : addresses) {
            b.addNewEndpoint().withAddresses(a).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    @Test
    void servicesFromTheKubernetesApiAreProgrammedAndFollowed() throws Exception {
        Requirements.requireBpf();
        mock = new KubeApiMock();
        api = mock.client();
        api.services().inNamespace("shop").resource(service("web", "10.96.0.10")).create();
        api.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("web", "10.2.0.7", "10.2.0.8")).create();
        Path kubeconfig = kubeconfig();

        pinRoot = Path.of("/sys/fs/bpf/gannet-kubeapi-test-" + ProcessHandle.current().pid());
        Files.writeString(dir.resolve("profile.yaml"), DaemonServicesTest.PROFILE.formatted(DaemonServicesTest.freeTcpPort(),
                DaemonServicesTest.freeTcpPort()));
        gannet = GannetProcess.start(null, dir, dir.resolve("profile.yaml"), "node1",
                "--kube-api", kubeconfig.toString(), "--bpf-pin-root", pinRoot.toString());

        JsonNode rows = awaitServices(gannet, r -> r.size() == 1 && r.get(0).path("backends").asInt() == 2);
        assertThat(rows.get(0).path("frontend").asText()).isEqualTo("10.96.0.10:80/TCP");
        assertThat(gannet.log()).contains("Services from the Kubernetes API");

        // created, changed and deleted through the API
        api.services().inNamespace("shop").resource(service("api", "10.96.0.11")).create();
        api.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("api", "10.2.0.9")).create();
        api.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("web", "10.2.0.7", "10.2.0.8", "10.2.0.10")).update();
        awaitServices(gannet, r -> r.size() == 2 && backendsOf(r, "web") == 3 && backendsOf(r, "api") == 1);
        api.services().inNamespace("shop").withName("api").delete();
        awaitServices(gannet, r -> r.size() == 1 && backendsOf(r, "web") == 3);

        // a Service the readers refuse: logged by name and field, the rest stay programmed
        Service bad = service("broken", "10.96.0.12");
        bad.getMetadata().setAnnotations(Map.of("gannet.io/lb-algorithm", "fastest"));
        api.services().inNamespace("shop").resource(bad).create();
        gannet.awaitTrue("the refusal logged", () -> gannet.log().contains("Service shop/broken: metadata.annotations.gannet.io/lb-algorithm"),
                gannet::log);
        assertThat(DaemonServicesTest.servicesJson(gannet)).hasSize(1);
    }

    @Test
    void networkPolicyFromTheKubernetesApiIsEnforcedAndAnInvalidOneKeepsItsLastValidVersion() throws Exception {
        Requirements.requireBpf();
        mock = new KubeApiMock();
        api = mock.client();
        Path kubeconfig = kubeconfig();
        pinRoot = Path.of("/sys/fs/bpf/gannet-kubeapi-policy-test-" + ProcessHandle.current().pid());
        Files.writeString(dir.resolve("profile.yaml"), DaemonServicesTest.PROFILE.formatted(DaemonServicesTest.freeTcpPort(),
                DaemonServicesTest.freeTcpPort()));
        create(POLICY.formatted("5432"));
        gannet = GannetProcess.start(null, dir, dir.resolve("profile.yaml"), "node1",
                "--kube-api", kubeconfig.toString(), "--kube-api-policy", "--bpf-pin-root", pinRoot.toString());
        gannet.awaitTrue("the policy from the API", () -> gannet.cliResult("show", "policy").out().contains("db-from-web"), gannet::log);
        assertThat(gannet.log()).contains("watching the Kubernetes API at http://127.0.0.1:" + mock.port());

        // turned invalid (the mock does not validate as an API server would): reported, the last valid version enforced
        create(POLICY.formatted("99999"));
        gannet.awaitTrue("reported", () -> gannet.cliResult("show", "policy").out().contains("previous valid version stays in force"),
                gannet::log);
        assertThat(gannet.cliResult("show", "policy").out()).contains("kubernetes-api NetworkPolicy shop/db-from-web")
                .contains("db-from-web");
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

    private void create(String yaml) {
        mock.apply(yaml);
    }

    private Path kubeconfig() throws java.io.IOException {
        return mock.kubeconfig(dir.resolve("kubeconfig"));
    }
}
