package io.gannet.l4lb;

import io.gannet.l4lb.announce.Announcer;
import io.gannet.l4lb.forward.Forwarding;
import io.gannet.l4lb.health.HealthChecker;
import io.gannet.l4lb.model.VipCatalog;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import io.gannet.bpf.lb.Ipv6;

/**
 * The ECMP L4 load balancer of one host: reads VIPs from the Service directory, checks
 * backends, programs the forwarding with each VIP's Maglev table, and announces each VIP
 * while it has a healthy backend.
 *
 * <p>Threads: one owner thread ({@code gannet-l4lb}) runs {@link L4lbCore} — directory
 * reloads, health changes, the 100 ms tick, drains — and is the only thread that calls the
 * forwarding and the announcer; health probes run on the {@link HealthChecker}'s threads and
 * reach the owner thread through its queue. {@link #status} reads the snapshot the owner
 * thread publishes.
 */
public final class L4lb implements AutoCloseable {
    private static final long TICK_MS = 100;

    private final ScheduledExecutorService owner;
    private final HealthChecker checker;
    private final L4lbCore core;
    private final VipCatalog catalog;
    private final Forwarding forwarding;

    private L4lb(L4lbOptions options, Forwarding forwarding, Announcer announcer, IntPredicate ownAddress,
            Predicate<Ipv6> ownAddress6, InstantSource clock, EventSink events) {
        this.forwarding = forwarding;
        this.owner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-l4lb");
            t.setDaemon(true);
            return t;
        });
        this.checker = new HealthChecker((t, up, detail) -> owner.execute(() -> core().healthChanged(t, up, detail)));
        this.core = new L4lbCore(options, forwarding, announcer, new L4lbCore.Health() {
            @Override
            public boolean retain(HealthChecker.Target t) {
                return checker.retain(t);
            }

            @Override
            public void release(HealthChecker.Target t) {
                checker.release(t);
            }
        }, clock, events);
        this.catalog = options.api() != null ? new VipCatalog(options.api(), options.pool(), ownAddress, ownAddress6)
                : new VipCatalog(options.servicesDir(), options.pool(), ownAddress, ownAddress6);
    }

    private L4lbCore core() {
        return core;
    }

    /**
     * Starts reading the directory, probing and announcing.
     *
     * @param ownAddress  true for an IPv4 address of this host (a backend there is refused: it would loop)
     * @param ownAddress6 the same for IPv6 addresses
     */
    public static L4lb start(L4lbOptions options, Forwarding forwarding, Announcer announcer, IntPredicate ownAddress,
            Predicate<Ipv6> ownAddress6, InstantSource clock, EventSink events) {
        L4lb lb = new L4lb(options, forwarding, announcer, ownAddress, ownAddress6, clock, events);
        lb.owner.scheduleWithFixedDelay(lb::reloadQuietly, 0, options.reloadPeriod().toMillis(), TimeUnit.MILLISECONDS);
        lb.owner.scheduleWithFixedDelay(lb.core::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        return lb;
    }

    private void reloadQuietly() {
        try {
            VipCatalog.Result r = catalog.reload();
            if (r.listed()) {
                core.setServices(r.vips(), r.problems());
            } // else the Kubernetes API has not listed once: an empty list would end a restart hold early
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(L4lb.class).warn("VIP directory not applied: {}", e.toString());
        }
    }

    /**
     * Takes the profile's VIP pool, this host's VIPs and the VIP communities of a reload: the
     * Service directory is re-read against the new pool at once, so VIPs that entered it are
     * served (and announced once healthy) and VIPs that left it are withdrawn and refused
     * ("outside the profile's VIP pool"). Returns what changed, "" for nothing.
     */
    public String reconfigure(io.gannet.l4lb.model.VipPool pool, List<String> profileVips, List<String> communities) {
        return call(() -> {
            String changed = core.setProfile(pool, profileVips, communities);
            if (!changed.isEmpty()) {
                catalog.setPool(pool);
                reloadQuietly();
            }
            return changed;
        });
    }

    /** The rows of {@code gannet show vips}. */
    public List<VipStatus> status() {
        return core.snapshot();
    }

    /**
     * Withdraws this host's VIPs; established flows keep being served for {@code grace}.
     * Returns "draining" or "drained".
     */
    public String drain(Duration grace) {
        return call(() -> core.startDrain(grace));
    }

    /** "none", "draining (N s left)" or "drained". */
    public String drainState() {
        return call(() -> switch (core.drain()) {
            case NONE -> "none";
            case DRAINING -> "draining (" + (core.drainLeft() + 999) / 1000 + " s left)";
            case DRAINED -> "drained";
        });
    }

    private <T> T call(Callable<T> c) {
        Future<T> f = owner.submit(c);
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new IllegalStateException("the load balancer did not answer within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** Stops probing; routes stay as they are (the daemon's shutdown decides), forwarding stays programmed. */
    @Override
    public void close() {
        checker.close();
        owner.shutdownNow();
        try {
            owner.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forwarding.close();
    }
}
