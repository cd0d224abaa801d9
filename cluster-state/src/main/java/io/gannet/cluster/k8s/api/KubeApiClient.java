package io.gannet.cluster.k8s.api;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.gannet.cluster.store.Backoff;
import io.gannet.cluster.store.RateLimiter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One connection of the daemon to the Kubernetes API, shared by every source that reads from it
 * (Services, network policy): fabric8's client on the JDK's HTTP client, configured from a
 * kubeconfig file or the standard discovery (in-cluster service account, $KUBECONFIG,
 * ~/.kube/config), with every request through one {@link ApiGuard} (token bucket; jittered
 * back-off after failures) and fabric8's watch reconnect starting at 1 s.
 */
public final class KubeApiClient implements AutoCloseable {
    private final KubernetesClient client;
    private final ApiGuard guard;
    private final String server;
    private final String origin;

    private KubeApiClient(KubernetesClient client, ApiGuard guard, String server, String origin) {
        this.client = client;
        this.guard = guard;
        this.server = server;
        this.origin = origin;
    }

    /**
     * @param kubeconfig        a kubeconfig file, or null for the standard discovery
     * @param requestsPerSecond client-side rate limit (client-go's default is 5)
     * @param burst             requests allowed at once above the rate
     * @param status            told once when the API stops answering (and why), and when it answers again
     * @throws IOException the kubeconfig cannot be read or names no server
     */
    public static KubeApiClient connect(Path kubeconfig, double requestsPerSecond, int burst, Consumer<String> status) throws IOException {
        String origin = kubeconfig == null ? "in-cluster" : kubeconfig.toString();
        Config config;
        try {
            config = kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(Files.readString(kubeconfig));
        } catch (RuntimeException e) { // fabric8's and the YAML parser's own
            throw new IOException(origin + ": " + e.getMessage(), e);
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
            throw new IOException(kubeconfig == null ? "no kubeconfig and not in a cluster" : kubeconfig + ": no server");
        }
        config.setWatchReconnectInterval(1000); // fabric8 doubles it per failure
        config.setWatchReconnectLimit(-1);
        String server = config.getMasterUrl();
        ApiGuard guard = new ApiGuard(RateLimiter.perSecond(requestsPerSecond, burst),
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), RandomGenerator.getDefault()),
                why -> status.accept(why != null ? "the Kubernetes API at " + server + " does not answer (" + why + "): keeping what"
                        + " it gave applied, retrying with back-off" : "the Kubernetes API at " + server + " answers again"));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(ApiGuard.NAME, guard)).build();
        return new KubeApiClient(client, guard, server, origin);
    }

    public KubernetesClient client() {
        return client;
    }

    /** The API server's URL. */
    public String server() {
        return server;
    }

    /** The kubeconfig file, or "in-cluster". */
    public String origin() {
        return origin;
    }

    /** Requests sent so far (after the rate limit). */
    public long requests() {
        return guard.requests();
    }

    @Override
    public void close() {
        client.close();
    }
}
