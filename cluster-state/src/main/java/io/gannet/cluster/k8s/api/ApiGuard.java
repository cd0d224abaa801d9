package io.gannet.cluster.k8s.api;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.gannet.cluster.store.Backoff;
import io.gannet.cluster.store.RateLimiter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every request to the API server passes, as client-go's rate limiter and back-off do for
 * an agent on each of thousands of nodes: a token bucket (a client never sends more than its
 * rate on average), and after a failed request (no connection, 429, 5xx) a jittered exponential
 * wait before the next one, so nodes that lost the API server together do not come back
 * together. fabric8's own watch reconnect interval (exponential, without jitter) comes on top.
 */
final class ApiGuard implements Interceptor {
    static final String NAME = "gannet-api-guard";
    private final RateLimiter limiter;
    private final Backoff backoff;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();

    private final java.util.function.Consumer<String> reachability;

    /** @param reachability told why when requests start failing, null when one succeeds again */
    ApiGuard(RateLimiter limiter, Backoff backoff, java.util.function.Consumer<String> reachability) {
        this.limiter = limiter;
        this.backoff = backoff;
        this.reachability = reachability;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        int failed = failures.get();
        try {
            if (failed > 0) {
                Thread.sleep(backoff.delay(failed - 1).toMillis());
            }
            limiter.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        requests.incrementAndGet();
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        int code = response.code();
        if (code == 429 || code >= 500) {
            failed("HTTP " + code + " for " + request.method() + " " + request.uri().getPath());
        } else if (failures.getAndSet(0) > 0) {
            reachability.accept(null);
        }
    }

    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        failed(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }

    private void failed(String why) {
        if (failures.getAndIncrement() == 0) {
            reachability.accept(why);
        }
    }

    /** Requests sent so far (after the guard let them through). */
    long requests() {
        return requests.get();
    }

    /** Failed requests in a row (0 once one succeeds). */
    int failuresInARow() {
        return failures.get();
    }
}
