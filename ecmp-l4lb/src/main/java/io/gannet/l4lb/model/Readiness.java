package io.gannet.l4lb.model;

import io.gannet.cluster.k8s.EndpointSlice;

/**
 * An endpoint's conditions in its EndpointSlice (discovery.k8s.io/v1), read as kube-proxy reads
 * them (KEP-1669): a ready endpoint takes new flows; a terminating endpoint that is still
 * serving takes them only while its Service has no ready endpoint; any other endpoint takes
 * none. Every LB host reads the same slices, so every host derives the same readiness.
 *
 * <p>Order matters: when one address appears in several slices (a slice being replaced), the
 * earliest value in this order wins, as the most capable of serving.
 */
public enum Readiness {
    /** {@code conditions.ready} true (or absent). */
    READY("ready"),
    /** Not ready, {@code serving} and {@code terminating}: the fallback when no endpoint is ready. */
    TERMINATING_SERVING("terminating, serving"),
    /** Not ready and terminating, no longer serving. */
    TERMINATING("terminating"),
    /** Not ready and not terminating: its readiness probe fails (or it has not passed yet). */
    NOT_READY("not ready");

    private final String text;

    Readiness(String text) {
        this.text = text;
    }

    /** The readiness of an endpoint from its conditions. */
    public static Readiness of(EndpointSlice.Endpoint e) {
        if (e.ready()) {
            return READY;
        }
        if (e.terminating()) {
            return e.serving() ? TERMINATING_SERVING : TERMINATING;
        }
        return NOT_READY;
    }

    /** As {@code show vips} prints it ("not ready", "terminating, serving"). */
    @Override
    public String toString() {
        return text;
    }
}
