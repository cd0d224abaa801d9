package io.gannet.cluster.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Kubernetes objects as Jackson trees from somewhere other than files: the Kubernetes API. */
public interface ObjectSource {
    /** One object and where it comes from, for reports ("kubernetes-api Service shop/web"). */
    record Named(String origin, JsonNode object) {}

    /** The current objects, or null while the source has not listed them once yet. */
    List<Named> objects();
}
