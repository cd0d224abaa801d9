package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.control.BfdSessionStatus;
import io.gannet.agent.control.BfdState;
import io.gannet.agent.logging.EventLog;
import io.gannet.agent.logging.LogFormat;
import io.gannet.agent.metrics.BfdMetrics;
import io.gannet.bfd.BfdListener;
import io.gannet.bfd.BfdPeerSpec;
import io.gannet.bfd.BfdSessionHandle;
import io.gannet.bfd.BfdStateChange;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.topology.TopologyProfiles;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.resolve.SecretResolver;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The BGP side of BFD without sockets: the test plays the BFD service (state changes through
 * the listener the binding registered), the speaker (a recording gate) and time (a manual clock;
 * the binding's re-checks are taken off the executor's queue and run by hand).
 */
class BfdBindingTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: unit}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bfd: {enabled: %s, minTxMs: 100, minRxMs: 200, multiplier: 3, strict: true}
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.9.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.9.1, podCIDR: 10.244.9.0/24}
            """;
    private static final long MS = 1_000_000L;

    final AtomicLong now = new AtomicLong(1_000 * MS);
    final List<String> gate = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<FakeHandle> handles = new ArrayList<>();
    final ScheduledThreadPoolExecutor rechecks = new ScheduledThreadPoolExecutor(1);
    final BfdBinding binding = new BfdBinding(new BfdBinding.Gate() {
        @Override
        public void bfdDown(String peer, String diagnostic) {
            gate.add("down " + peer + " " + diagnostic);
        }

        @Override
        public void bfdUp(String peer) {
            gate.add("up " + peer);
        }
    }, new EventLog(log::add, LogFormat.LOGFMT, InstantSource.system()), new BfdBinding.Sessions() {
        @Override
        public BfdSessionHandle request(BfdPeerSpec spec, BfdListener listener) {
            FakeHandle h = new FakeHandle(spec, listener);
            handles.add(h);
            listener.onStateChange(h.change(io.gannet.bfd.wire.BfdState.DOWN, Diagnostic.NONE, true));
            return h;
        }

        @Override
        public void close() {}
    }, now::get, rechecks);

    @AfterEach
    void close() {
        binding.close();
    }

    static NodeConfig node(boolean bfd) throws Exception {
        return TopologyProfiles.parse("t.yaml", PROFILE.formatted(bfd)).nodeConfig("node1", SecretResolver.referencesOnly());
    }

    /** A BFD session the test drives. */
    final class FakeHandle implements BfdSessionHandle {
        final BfdPeerSpec spec;
        final BfdListener listener;
        io.gannet.bfd.wire.BfdState state = io.gannet.bfd.wire.BfdState.DOWN;
        io.gannet.bfd.wire.BfdState remoteState = io.gannet.bfd.wire.BfdState.DOWN;
        long flaps;
        boolean closed;

        FakeHandle(BfdPeerSpec spec, BfdListener listener) {
            this.spec = spec;
            this.listener = listener;
        }

        BfdStateChange change(io.gannet.bfd.wire.BfdState to, Diagnostic diag, boolean initial) {
            return new BfdStateChange(spec.key(), state, to, diag, Instant.now(), now.get(), now.get(), initial);
        }

        void go(io.gannet.bfd.wire.BfdState to, Diagnostic diag) {
            BfdStateChange c = change(to, diag, false);
            if (state == io.gannet.bfd.wire.BfdState.UP && to != state) {
                flaps++;
            }
            state = to;
            listener.onStateChange(c);
        }

        @Override public BfdPeerSpec.Key key() { return spec.key(); }
        @Override public io.gannet.bfd.wire.BfdState state() { return state; }
        @Override public void updateTimers(Duration tx, Duration rx, int mult) {}
        @Override public void setAdminDown(boolean adminDown) {}
        @Override public void close() { closed = true; }

        @Override
        public io.gannet.bfd.BfdSessionStatus status() {
            return new io.gannet.bfd.BfdSessionStatus(spec.key(), state, remoteState, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED,
                    1, 2, 100_000, 200_000, 3, 100_000, 100_000, 3, 100_000, 200_000, 600_000, false, flaps, flaps, 1, 10, 10,
                    500, 5, Map.of(), 1, 49152);
        }
    }

    void up(FakeHandle h) {
        h.go(io.gannet.bfd.wire.BfdState.UP, Diagnostic.NONE);
    }

    void down(FakeHandle h) {
        h.go(io.gannet.bfd.wire.BfdState.DOWN, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
    }

    /** Moves the clock and runs the pending re-check, if any; true if there was one. */
    boolean advanceAndRecheck(long millis) {
        now.addAndGet(millis * MS);
        // The queue's poll() only hands out expired tasks; the test's time is its own, so take the task by hand.
        for (Runnable r : rechecks.getQueue().toArray(Runnable[]::new)) {
            rechecks.remove(r);
            if (!((RunnableScheduledFuture<?>) r).isCancelled()) {
                r.run();
                return true;
            }
        }
        return false;
    }

    long pendingRecheckMillis() {
        return rechecks.getQueue().stream().map(r -> (RunnableScheduledFuture<?>) r).filter(r -> !r.isCancelled())
                .mapToLong(r -> r.getDelay(TimeUnit.MILLISECONDS)).max().orElse(-1);
    }

    @Test
    void theProfilesHopModeChoosesAMultihopSessionAndAChangeReplacesIt() throws Exception {
        NodeConfig gtsm = TopologyProfiles.parse("t.yaml", PROFILE.formatted(true).replace("  bfd: {", "  bgp: {ttlSecurity: 1}\n  bfd: {"))
                .nodeConfig("node1", SecretResolver.referencesOnly());
        binding.apply(gtsm);
        assertThat(handles).hasSize(1);
        BfdPeerSpec spec = handles.get(0).spec;
        // GTSM: FRR runs multihop BFD for it, BIRD is rendered "multihop 1": RFC 5883, any TTL (BIRD sends 64).
        assertThat(spec.hopMode()).isEqualTo(io.gannet.bfd.HopMode.MULTI_HOP);
        assertThat(spec.minReceivedTtl()).isEqualTo(1);
        assertThat(spec.interfaceName()).isNull();
        assertThat(binding.sessions()).singleElement().satisfies(s -> assertThat(s.multihop()).isTrue());
        assertThat(binding.metrics()).singleElement().satisfies(m -> assertThat(m.multihop()).isTrue());

        // Back to a directly connected session: another session (port 3784), not a retimed one.
        binding.apply(node(true));
        assertThat(handles).hasSize(2);
        assertThat(handles.get(0).closed).isTrue();
        assertThat(handles.get(1).spec.hopMode()).isEqualTo(io.gannet.bfd.HopMode.SINGLE_HOP);
        assertThat(handles.get(1).spec.minReceivedTtl()).isEqualTo(255);
        assertThat(binding.sessions()).singleElement().satisfies(s -> assertThat(s.multihop()).isFalse());
    }

    @Test
    void requestsOneSingleHopSessionPerBfdNeighborWithTheProfileTimers() throws Exception {
        binding.apply(node(true));
        assertThat(handles).hasSize(1);
        BfdPeerSpec spec = handles.get(0).spec;
        assertThat(spec.peer().getHostAddress()).isEqualTo("10.255.9.2");
        assertThat(spec.local().getHostAddress()).isEqualTo("10.255.9.1");
        assertThat(spec.hopMode()).isEqualTo(io.gannet.bfd.HopMode.SINGLE_HOP);
        assertThat(spec.desiredMinTx()).isEqualTo(Duration.ofMillis(100));
        assertThat(spec.requiredMinRx()).isEqualTo(Duration.ofMillis(200));
        assertThat(spec.detectMult()).isEqualTo(3);
        assertThat(binding.stateOf("sw1")).isEqualTo(BfdState.DOWN);
        assertThat(binding.stateOf("other")).isEqualTo(BfdState.NONE);
        assertThat(gate).isEmpty(); // the initial Down is not a change
        assertThat(log).isEmpty();

        // Reload with BFD off: the session is released, the peer shows no BFD.
        binding.apply(node(false));
        assertThat(handles.get(0).closed).isTrue();
        assertThat(binding.stateOf("sw1")).isEqualTo(BfdState.NONE);
        assertThat(binding.sessions()).isEmpty();
    }

    @Test
    void firstUpReleasesAtOnceDownTearsBgpDownAndEachFlapDoublesTheHoldDown() throws Exception {
        binding.apply(node(true));
        FakeHandle h = handles.get(0);
        up(h);
        assertThat(gate).containsExactly("up sw1");
        assertThat(log.get(0)).contains("event=bfd_session_state").contains("client=sw1").contains("from=Down to=Up");

        down(h);
        assertThat(gate).containsExactly("up sw1", "down sw1 Control Detection Time Expired");
        assertThat(log.get(1)).contains("level=warn").contains("from=Up to=Down").contains("Control Detection Time Expired");

        // Up again: held for 1 s of stable BFD, re-checked then, not before.
        now.addAndGet(200 * MS);
        up(h);
        assertThat(gate).hasSize(2);
        assertThat(log).anyMatch(l -> l.contains("action=bfd-damping") && l.contains("for 1000 ms"));
        assertThat(pendingRecheckMillis()).isBetween(900L, 1001L);
        assertThat(advanceAndRecheck(500)).isTrue(); // early (the executor woke up too soon): re-armed
        assertThat(gate).hasSize(2);
        assertThat(advanceAndRecheck(501)).isTrue();
        assertThat(gate).containsExactly("up sw1", "down sw1 Control Detection Time Expired", "up sw1");

        // Second and third flaps within the half-life: 2 s, then 4 s.
        for (long hold : new long[] {2000, 4000}) {
            down(h);
            up(h);
            assertThat(log).anyMatch(l -> l.contains("action=bfd-damping") && l.contains("for " + hold + " ms"));
            int before = gate.size();
            assertThat(advanceAndRecheck(hold - 10)).isTrue();
            assertThat(gate).hasSize(before);
            assertThat(advanceAndRecheck(11)).isTrue();
            assertThat(gate.get(gate.size() - 1)).isEqualTo("up sw1");
        }
        long holdDownLines = log.stream().filter(l -> l.contains("action=bfd-damping")).count();
        assertThat(holdDownLines).isEqualTo(3); // once per hold-down, not per re-check
    }

    @Test
    void downDuringAHoldDownCancelsTheReleaseAndThePeersAdminDownLeavesBgpAlone() throws Exception {
        binding.apply(node(true));
        FakeHandle h = handles.get(0);
        up(h);
        down(h);
        up(h);
        assertThat(pendingRecheckMillis()).isPositive();
        down(h);
        assertThat(advanceAndRecheck(5_000)).isFalse(); // cancelled
        assertThat(gate).containsExactly("up sw1", "down sw1 Control Detection Time Expired",
                "down sw1 Control Detection Time Expired");

        // RFC 5882 3.2: the peer's AdminDown is not a path failure.
        now.addAndGet(600_000 * MS);
        up(h);
        advanceAndRecheck(10_000);
        int before = gate.size();
        h.remoteState = io.gannet.bfd.wire.BfdState.ADMIN_DOWN;
        h.go(io.gannet.bfd.wire.BfdState.DOWN, Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        assertThat(gate).hasSize(before);
    }

    @Test
    void statusAndMetricsNameTheBgpPeer() throws Exception {
        binding.apply(node(true));
        FakeHandle h = handles.get(0);
        up(h);
        List<BfdSessionStatus> sessions = binding.sessions();
        assertThat(sessions).hasSize(1);
        BfdSessionStatus s = sessions.get(0);
        assertThat(s.peerAddress().getHostAddress()).isEqualTo("10.255.9.2");
        assertThat(s.state()).isEqualTo(BfdState.UP);
        assertThat(s.txIntervalMicros()).isEqualTo(100_000);
        assertThat(s.multiplier()).isEqualTo(3);
        assertThat(s.clients()).containsExactly("sw1");
        List<BfdMetrics> metrics = binding.metrics();
        assertThat(metrics).hasSize(1);
        assertThat(metrics.get(0).client()).isEqualTo("sw1");
        assertThat(metrics.get(0).interfaceName()).isEmpty();
        assertThat(metrics.get(0).detectionTimeMicros()).isEqualTo(600_000);
    }

    @Test
    void afterCloseNoEventReachesTheSpeaker() throws Exception {
        binding.apply(node(true));
        FakeHandle h = handles.get(0);
        up(h);
        binding.close();
        assertThat(h.closed).isTrue();
        h.listener.onStateChange(h.change(io.gannet.bfd.wire.BfdState.ADMIN_DOWN, Diagnostic.ADMINISTRATIVELY_DOWN, false));
        assertThat(gate).containsExactly("up sw1");
    }
}
