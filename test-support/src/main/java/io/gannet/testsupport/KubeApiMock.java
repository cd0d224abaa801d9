package io.gannet.testsupport;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * fabric8's mock Kubernetes API server in CRUD mode on a loopback port of its own (no real API
 * server can run on these machines), a client to it for the test's own objects, and the
 * kubeconfig a user would write to reach it over HTTP.
 */
public final class KubeApiMock implements AutoCloseable {
    private KubernetesMockServer server;
    private KubernetesClient client;
    private int port;
    private boolean running;

    public KubeApiMock() {
        start(0);
    }

    private void start(int port) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        this.port = server.getPort();
        client = server.createClient();
        running = true;
    }

    /** The test's own client (creates, changes and deletes objects). */
    public KubernetesClient client() {
        return client;
    }

    public int port() {
        return port;
    }

    /** Creates (or replaces) a typed object written as YAML. */
    public void apply(String yaml) {
        HasMetadata o = client.getKubernetesSerialization().unmarshal(yaml);
        client.resource(o).createOr(x -> x.update());
    }

    /** Writes a kubeconfig for this server to {@code file} and returns it. */
    public Path kubeconfig(Path file) throws IOException {
        return kubeconfig(file, port());
    }

    /**
     * Writes a kubeconfig for a server at {@code http://127.0.0.1:PORT} to {@code file}: this one
     * reached through a forwarder listening there (a daemon in another network namespace).
     */
    public static Path kubeconfig(Path file, int port) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "http://127.0.0.1:%d"}}]
                contexts: [{name: mock, context: {cluster: mock, user: gannet}}]
                current-context: mock
                users: [{name: gannet, user: {token: not-checked-by-the-mock}}]
                """.formatted(port));
        return file;
    }

    /** Stops the server (the API "goes away"); its objects are lost. */
    public void stop() {
        if (running) {
            running = false;
            client.close();
            server.destroy();
        }
    }

    /** A new, empty server on the same port (the API "comes back"). */
    public void restart() {
        start(port);
    }

    @Override
    public void close() {
        stop();
    }
}
