package io.gannet.l4lb.health;

import io.gannet.l4lb.model.HealthCheckSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes backends and reports health changes. A target is a (backend address, port, check)
 * triple: VIPs that share a backend with the same check share its one probe and its result
 * (reference counted by {@link #retain}/{@link #release}).
 *
 * <p>Threads: one platform timer thread ({@code gannet-health-timer}) starts each target's
 * probe every interval, the first one at a random point within the interval so 10,000
 * targets do not probe in one burst. TCP checks are non-blocking connects that one thread
 * ({@code gannet-health-tcp}, {@link TcpConnectPoller}) waits for together; every other probe
 * runs on a virtual thread and may block up to its timeout; none on the BGP, BFD, datapath or
 * L4LB threads. A probe still running when its next turn comes skips that turn. The
 * {@link Listener} is called on the probing thread; it must hand the change to its own thread.
 */
public final class HealthChecker implements AutoCloseable {

    /** What is probed: an IPv4 or IPv6 literal ("10.92.0.21", "fd00:92::21", never a name). */
    public record Target(String address, int port, HealthCheckSpec spec) {
        @Override
        public String toString() {
            return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port + " (" + spec.type().name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
    }

    /** Called when a target becomes healthy or unhealthy (rise/fall reached). */
    public interface Listener {
        void changed(Target target, boolean healthy, String detail);
    }

    /** A target's state for {@code show vips}. */
    public record TargetStatus(Target target, boolean healthy, String lastResult, long probes, long failures) {}

    private static final class State {
        final Target target;
        final RiseFall riseFall;
        final Probe probe;
        /** The TCP check's destination, resolved once (addresses are literals). */
        final java.net.InetSocketAddress tcp;
        int refs;
        /** Its last user released it: a probe still running reports nothing (a new user has a new state). */
        boolean released;
        ScheduledFuture<?> timer;
        boolean running;
        String lastResult = "not probed yet";
        long probes;
        long failures;

        State(Target target) {
            this.target = target;
            this.riseFall = new RiseFall(target.spec.rise(), target.spec.fall());
            this.probe = target.spec.type() == HealthCheckSpec.Type.TCP ? null : Probe.of(target.spec.type());
            this.tcp = target.spec.type() == HealthCheckSpec.Type.TCP
                    ? new java.net.InetSocketAddress(target.address, target.spec.portFor(target.port)) : null;
        }
    }

    private final Listener listener;
    private final ScheduledExecutorService timer;
    private final ExecutorService probes;
    private final TcpConnectPoller tcp = new TcpConnectPoller();
    private final Map<Target, State> targets = new HashMap<>();
    private final AtomicLong probesRun = new AtomicLong();
    private volatile boolean closed;

    public HealthChecker(Listener listener) {
        this.listener = listener;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-health-timer");
            t.setDaemon(true);
            return t;
        });
        this.probes = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gannet-health-probe-", 0).factory());
    }

    /**
     * Starts probing a target (or adds a user to one already probed). Returns its current
     * health: false for a new target (it must rise first), true at once for a NONE check.
     */
    public synchronized boolean retain(Target t) {
        State s = targets.get(t);
        if (s != null) {
            s.refs++;
            return s.riseFall.healthy();
        }
        s = new State(t);
        s.refs = 1;
        targets.put(t, s);
        if (t.spec.type() == HealthCheckSpec.Type.NONE) {
            s.riseFall.record(true);
            while (!s.riseFall.healthy()) {
                s.riseFall.record(true);
            }
            s.lastResult = "not checked";
            return true;
        }
        long interval = t.spec.interval().toMillis();
        State st = s;
        s.timer = timer.scheduleAtFixedRate(() -> start(st), ThreadLocalRandom.current().nextLong(interval), interval,
                TimeUnit.MILLISECONDS);
        return false;
    }

    /** Drops one user of a target; the last one stops its probes. */
    public synchronized void release(Target t) {
        State s = targets.get(t);
        if (s == null) {
            return;
        }
        if (--s.refs == 0) {
            targets.remove(t);
            synchronized (s) {
                s.released = true;
            }
            if (s.timer != null) {
                s.timer.cancel(false);
            }
        }
    }

    public synchronized boolean healthy(Target t) {
        State s = targets.get(t);
        return s != null && s.riseFall.healthy();
    }

    public synchronized List<TargetStatus> status() {
        List<TargetStatus> out = new ArrayList<>();
        for (State s : targets.values()) {
            synchronized (s) {
                out.add(new TargetStatus(s.target, s.riseFall.healthy(), s.lastResult, s.probes, s.failures));
            }
        }
        return out;
    }

    /** Probes run since start (benchmarks, metrics). */
    public long probesRun() {
        return probesRun.get();
    }

    private void start(State s) {
        synchronized (s) {
            if (s.running || closed || s.released) {
                return;
            }
            s.running = true;
        }
        if (s.tcp != null) {
            tcp.probe(s.tcp, s.target.spec.timeout().toNanos(), r -> complete(s, r));
            return;
        }
        try {
            probes.execute(() -> runProbe(s));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            synchronized (s) {
                s.running = false;
            }
        }
    }

    private void runProbe(State s) {
        Target t = s.target;
        complete(s, s.probe.run(t.address, t.spec.portFor(t.port), t.spec));
    }

    private void complete(State s, ProbeResult r) {
        Target t = s.target;
        probesRun.incrementAndGet();
        boolean changed;
        boolean healthy;
        synchronized (s) {
            s.running = false;
            s.probes++;
            if (!r.ok()) {
                s.failures++;
            }
            s.lastResult = r.detail();
            changed = s.riseFall.record(r.ok());
            healthy = s.riseFall.healthy();
            changed &= !s.released;
        }
        if (changed && !closed) {
            listener.changed(t, healthy, r.detail());
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        probes.shutdownNow();
        tcp.close();
    }
}
