package io.gannet.cluster.k8s.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.gannet.cluster.k8s.InvalidObject;
import io.gannet.cluster.k8s.KubeReader;
import io.gannet.cluster.k8s.KubeService;
import io.gannet.cluster.k8s.ServiceDirectory;
import io.gannet.cluster.store.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and EndpointSlices from the Kubernetes API: the second source of the objects the
 * watched directory gives ({@link io.gannet.cluster.k8s.ServiceDirectoryWatcher}), handed on in the same
 * form ({@link ServiceDirectory.Result}) to the same sink.
 *
 * <ul>
 *   <li>Two informers (list, then watch from the list's resourceVersion; a re-list when the
 *       watch is too old) over every namespace. Each keeps a slim copy of its objects
 *       ({@link ReducedStateItemStore}): only the fields Gannet reads.
 *   <li>Every request passes the shared {@link KubeApiClient}'s guard: a client-side token bucket,
 *       and a jittered exponential wait after a failure.
 *   <li>Nothing is handed on before both informers have listed once, so a daemon that starts
 *       while the API server is away keeps what its datapath already holds. While it is away
 *       later, the last result stays applied; the informers catch up when it returns.
 *   <li>Changes within {@code settle} are handed on as one result, on the thread
 *       "gannet-kube-api". When the sink throws, the same result is tried again with back-off.
 *   <li>An object the readers refuse is reported once per change (kind namespace/name: field:
 *       what is wrong) and left out; the others apply.
 * </ul>
 */
public final class KubeApiServices implements AutoCloseable, io.gannet.cluster.k8s.ObjectSource {
    private static final Logger LOG = LoggerFactory.getLogger(KubeApiServices.class);
    /** Where errors of API objects say they come from (the directory's say their file). */
    public static final Path ORIGIN = Path.of("kubernetes-api");
    private static final String[] SERVICE_FIELDS = {"metadata.annotations", "spec", "status.loadBalancer"};
    private static final String[] SLICE_FIELDS = {"metadata.labels", "addressType", "ports", "endpoints"};

    private final KubeApiClient api;
    private final KubernetesClient client;
    private final Consumer<ServiceDirectory.Result> sink;
    private final Consumer<ServiceDirectory.FileError> errors;
    private final Consumer<String> status;
    private final SettledHandOn handOn;
    private final Backoff retry = Backoff.standard();
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private final Set<String> reported = new HashSet<>(); // thread only
    private int retries; // thread only
    private volatile long applied;
    private ServiceDirectory.Result lastApplied; // thread only

    private KubeApiServices(KubeApiClient api, Consumer<ServiceDirectory.Result> sink, Consumer<ServiceDirectory.FileError> errors,
            Consumer<String> status, Duration settle) {
        this.api = api;
        this.client = api.client();
        this.status = status;
        this.sink = sink;
        this.errors = errors;
        this.handOn = new SettledHandOn("gannet-kube-api", settle, this::handOn);
    }

    /**
     * Starts watching through {@code api} (shared with other sources; not closed here); returns at
     * once, before the first list has answered.
     *
     * @param settle changes closer together than this are handed on as one result
     * @param status what the operator should know: a watch that failed, a result that could not be applied
     */
    public static KubeApiServices start(KubeApiClient api, Duration settle, Consumer<ServiceDirectory.Result> sink,
            Consumer<ServiceDirectory.FileError> errors, Consumer<String> status) {
        KubeApiServices s = new KubeApiServices(api, sink, errors, status, settle);
        s.watch();
        LOG.info("Kubernetes API source: Services and EndpointSlices from {}", api.server());
        return s;
    }

    private void watch() {
        ResourceEventHandler<HasMetadata> changed = handOn.handler();
        var serialization = client.getKubernetesSerialization();
        services = client.services().inAnyNamespace().runnableInformer(0)
                .itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Service.class, serialization, SERVICE_FIELDS));
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0)
                .itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, EndpointSlice.class, serialization,
                        SLICE_FIELDS));
        services.addEventHandler(changed);
        slices.addEventHandler(changed);
        // start() keeps retrying the first list in the background (with the guard's back-off)
        services.start().whenComplete((v, e) -> started("Services", e));
        slices.start().whenComplete((v, e) -> started("EndpointSlices", e));
    }

    private void started(String what, Throwable e) {
        if (e != null) {
            status.accept("watching " + what + " failed: " + e.getMessage());
        }
        handOn.changed();
    }

    private void handOn() {
        if (!services.hasSynced() || !slices.hasSynced()) {
            return; // the first list of each is still to come: keep what the datapath holds
        }
        try {
            ServiceDirectory.Result r = read();
            if (r.equals(lastApplied)) {
                return; // e.g. the second informer's start: the same objects, nothing to apply again
            }
            sink.accept(r);
            lastApplied = r;
            retries = 0;
            applied++;
        } catch (RuntimeException | LinkageError e) {
            long wait = retry.delay(retries++).toMillis();
            status.accept("applying the Services from the Kubernetes API failed (" + e + "); again in " + wait + " ms");
            handOn.again(Duration.ofMillis(wait));
        }
    }

    /** The informers' objects read as the directory reads its files. */
    private ServiceDirectory.Result read() {
        List<KubeService> svc = new ArrayList<>();
        List<io.gannet.cluster.k8s.EndpointSlice> sl = new ArrayList<>();
        List<ServiceDirectory.FileError> bad = new ArrayList<>();
        Set<String> now = new HashSet<>();
        for (Current c : current()) {
            try {
                if (c.json().path("kind").asText().equals("Service")) {
                    svc.add(KubeReader.service(c.json()));
                } else {
                    sl.add(KubeReader.slice(c.json()));
                }
            } catch (InvalidObject e) {
                bad.add(error(c, e, now));
            }
        }
        reported.retainAll(now);
        return new ServiceDirectory.Result(List.copyOf(svc), List.copyOf(sl), List.copyOf(bad), true);
    }

    /** One object of the informers: "Kind namespace/name" and its tree. */
    private record Current(String what, String resourceVersion, JsonNode json) {}

    /** The informers' Services, then their EndpointSlices, as Jackson trees. */
    private List<Current> current() {
        var serialization = client.getKubernetesSerialization();
        List<Current> out = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> i : List.of(services, slices)) {
            for (HasMetadata o : i.getStore().list()) {
                out.add(new Current(o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(),
                        o.getMetadata().getResourceVersion(), serialization.convertValue(o, JsonNode.class)));
            }
        }
        return out;
    }

    private ServiceDirectory.FileError error(Current c, InvalidObject e, Set<String> now) {
        ServiceDirectory.FileError err = new ServiceDirectory.FileError(ORIGIN, 0, 0, c.what() + ": " + e.getMessage());
        String key = c.what() + "@" + c.resourceVersion();
        now.add(key);
        if (reported.add(key)) {
            errors.accept(err);
        }
        return err;
    }

    /** The informers' Services and EndpointSlices as Jackson trees (for readers of other fields: the L4LB's). */
    @Override
    public List<Named> objects() {
        if (!services.hasSynced() || !slices.hasSynced()) {
            return null;
        }
        return current().stream().map(c -> new Named(ORIGIN + " " + c.what(), c.json())).toList();
    }

    /** Results handed to the sink so far. */
    public long applied() {
        return applied;
    }

    /** Whether both informers hold a current list (false before the first, or while re-listing). */
    public boolean synced() {
        return services.hasSynced() && slices.hasSynced() && services.isWatching() && slices.isWatching();
    }

    @Override
    public void close() {
        services.stop();
        slices.stop();
        handOn.close();
    }
}
