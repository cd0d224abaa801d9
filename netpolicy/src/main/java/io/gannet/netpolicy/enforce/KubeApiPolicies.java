package io.gannet.netpolicy.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gannet.cluster.k8s.api.KubeApiClient;
import io.gannet.cluster.k8s.api.SettledHandOn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Network policy's objects from the Kubernetes API: the second source of what the policy directory
 * gives ({@link PolicyDirectory}), handed on in the same form ({@link PolicyDirectory.Result}).
 *
 * <ul>
 *   <li>Informers on NetworkPolicy (networking.k8s.io/v1), CiliumNetworkPolicy and
 *       CiliumClusterwideNetworkPolicy (cilium.io/v2, when the API server serves them), the Pods of
 *       this node only (field selector spec.nodeName, as the kubelet watches: other nodes' pods
 *       reach policy through the cluster store, published by their own nodes) and Namespaces.
 *       Pods and Namespaces keep slim copies: labels, and the pods' container ports (named ports).
 *   <li>Each object is read as a file holding only it would be, and fails closed the same way:
 *       an object that becomes invalid keeps its last valid version in force and is reported;
 *       one never valid enforces nothing yet.
 *   <li>Nothing is handed on before NetworkPolicies, Pods and Namespaces have each listed once.
 *       While the API is away the last result stays applied.
 * </ul>
 */
public final class KubeApiPolicies implements AutoCloseable {
    /** cilium.io/v2 CiliumNetworkPolicy, as Cilium's CRD defines it. */
    public static final ResourceDefinitionContext CILIUM_NETWORK_POLICY = new ResourceDefinitionContext.Builder().withGroup("cilium.io")
            .withVersion("v2").withKind("CiliumNetworkPolicy").withPlural("ciliumnetworkpolicies").withNamespaced(true).build();
    /** cilium.io/v2 CiliumClusterwideNetworkPolicy (not namespaced). */
    public static final ResourceDefinitionContext CILIUM_CLUSTERWIDE_NETWORK_POLICY = new ResourceDefinitionContext.Builder()
            .withGroup("cilium.io").withVersion("v2").withKind("CiliumClusterwideNetworkPolicy")
            .withPlural("ciliumclusterwidenetworkpolicies").withNamespaced(false).build();
    /** Where reports of API objects say they come from. */
    public static final String ORIGIN = "kubernetes-api";

    private final KubernetesClient client;
    private final String node;
    private final KubernetesSerialization serialization;
    private final Consumer<PolicyDirectory.Result> sink;
    private final Consumer<String> status;
    private final SettledHandOn handOn;
    private final List<SharedIndexInformer<? extends HasMetadata>> required = new ArrayList<>();
    private final Map<SharedIndexInformer<? extends HasMetadata>, String> all = new LinkedHashMap<>();
    private final Map<String, PolicyDirectory.Content> lastGood = new HashMap<>(); // thread only
    private List<String> lastReported = List.of(); // thread only

    private KubeApiPolicies(KubeApiClient api, String node, Duration settle, Consumer<PolicyDirectory.Result> sink,
            Consumer<String> status) {
        this.node = node;
        this.client = api.client();
        this.serialization = client.getKubernetesSerialization();
        this.sink = sink;
        this.status = status;
        this.handOn = new SettledHandOn("gannet-kube-api-policy", settle, this::handOn);
    }

    /**
     * Starts watching through {@code api} (shared; not closed here) for the pods of {@code node}
     * (its Kubernetes node name); returns at once.
     */
    public static KubeApiPolicies start(KubeApiClient api, String node, Duration settle, Consumer<PolicyDirectory.Result> sink,
            Consumer<String> status) {
        return start(api, node, true, settle, sink, status);
    }

    /**
     * @param nodeSelector ask the API server for this node's pods only (field selector spec.nodeName, as
     *                     every API server serves it); false watches every pod and keeps this node's
     *                     (fabric8's mock API server implements no field selector on spec.nodeName)
     */
    static KubeApiPolicies start(KubeApiClient api, String node, boolean nodeSelector, Duration settle,
            Consumer<PolicyDirectory.Result> sink, Consumer<String> status) {
        KubeApiPolicies p = new KubeApiPolicies(api, node, settle, sink, status);
        p.watch(nodeSelector);
        return p;
    }

    private void watch(boolean nodeSelector) {
        SharedIndexInformer<NetworkPolicy> np = client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0);
        var allPods = client.pods().inAnyNamespace();
        SharedIndexInformer<Pod> pods = (nodeSelector ? allPods.withField("spec.nodeName", node) : allPods).runnableInformer(0)
                .itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Pod.class, serialization,
                        "metadata.labels", "spec.nodeName", "spec.containers", "spec.initContainers"));
        SharedIndexInformer<Namespace> namespaces = client.namespaces().runnableInformer(0)
                .itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Namespace.class, serialization,
                        "metadata.labels"));
        required.add(np);
        required.add(pods);
        required.add(namespaces);
        all.put(np, "NetworkPolicies");
        all.put(pods, "Pods");
        all.put(namespaces, "Namespaces");
        for (ResourceDefinitionContext cilium : List.of(CILIUM_NETWORK_POLICY, CILIUM_CLUSTERWIDE_NETWORK_POLICY)) {
            // by a fixed definition: discovery would fail at once where Cilium's CRDs are not installed
            SharedIndexInformer<GenericKubernetesResource> i = client.genericKubernetesResources(cilium).inAnyNamespace()
                    .runnableInformer(0);
            all.put(i, cilium.getKind() + " objects");
        }
        ResourceEventHandler<HasMetadata> changed = handOn.handler();
        all.forEach((i, what) -> {
            @SuppressWarnings("unchecked")
            SharedIndexInformer<HasMetadata> any = (SharedIndexInformer<HasMetadata>) i;
            any.addEventHandler(changed);
            boolean optional = !required.contains(i);
            any.start().whenComplete((v, e) -> {
                if (e != null) {
                    status.accept("watching " + what + " failed (" + e.getMessage() + ")"
                            + (optional ? ": none are enforced from the API (is Cilium's CRD installed?)" : ""));
                }
                handOn.changed();
            });
        });
    }

    private void handOn() {
        for (SharedIndexInformer<? extends HasMetadata> i : required) {
            if (!i.hasSynced()) {
                return; // a first list is still to come: keep what the datapath enforces
            }
        }
        Map<String, PolicyDirectory.Content> now = new LinkedHashMap<>();
        List<PolicyDirectory.FileReport> problems = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> i : all.keySet()) {
            for (HasMetadata o : i.getStore().list()) {
                if (o instanceof Pod pod && (pod.getSpec() == null || !node.equals(pod.getSpec().getNodeName()))) {
                    continue; // another node's: it publishes its pods itself
                }
                String key = o.getKind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                        + o.getMetadata().getName();
                String origin = ORIGIN + " " + key;
                List<String> errors = new ArrayList<>();
                PolicyDirectory.Content c = PolicyDirectory.readObject(serialization.convertValue(o, JsonNode.class), origin, errors);
                if (errors.isEmpty()) {
                    lastGood.put(key, c);
                    now.put(key, c);
                } else {
                    PolicyDirectory.Content kept = lastGood.get(key);
                    if (kept != null) {
                        now.put(key, kept);
                    }
                    problems.add(new PolicyDirectory.FileReport(origin, List.copyOf(errors), kept != null));
                }
            }
        }
        lastGood.keySet().retainAll(now.keySet());
        List<String> reported = problems.stream().map(p -> p.file() + ": " + p.summary() + ": " + String.join("; ", p.errors())).toList();
        if (!reported.equals(lastReported)) {
            reported.stream().filter(r -> !lastReported.contains(r)).forEach(status);
            lastReported = reported;
        }
        try {
            sink.accept(PolicyDirectory.assemble(now.values(), problems));
        } catch (RuntimeException e) {
            status.accept("applying network policy from the Kubernetes API failed (" + e.getMessage() + "); again shortly");
            handOn.again(Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() {
        all.keySet().forEach(SharedIndexInformer::stop);
        handOn.close();
    }
}
