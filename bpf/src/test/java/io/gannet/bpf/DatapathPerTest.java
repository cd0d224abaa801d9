package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.libbpf.TestRun;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up golden-packet tests share: before each test a {@link Datapath} that starts as a
 * fresh open on an empty pin root does, after it that Datapath closed, and BPF_PROG_TEST_RUN of
 * its programs. The objects are loaded (the verifier runs) once per test class
 * ({@link SharedDatapath}): each test gets every map emptied and a new Datapath over them. A
 * test that calls {@link #reopen} gets a real open of its own on the class's pins; after it
 * that open becomes the class's loaded one ({@link SharedDatapath#adopt}), or, when the test
 * reopened with other options, the class's objects and pins are discarded and the next test
 * loads anew. A test
 * class extends it and states only its packets and expectations; its own {@code @BeforeEach}
 * runs after the Datapath is open, its own {@code @AfterEach} before the Datapath is closed.
 */
abstract class DatapathPerTest {
    static final int TC_ACT_UNSPEC = -1; // not Gannet's: the next filter in the chain decides
    static final int TC_ACT_OK = 0;
    static final int TC_ACT_SHOT = 2;
    static final int TC_ACT_REDIRECT = 7;

    /** The objects loaded for this test class; null before its first test and after a reopen. */
    private static SharedDatapath shared;

    /** The pin root of this test's Datapath (the class's, emptied before each test). */
    protected Path pinRoot;
    /** The Datapath open on {@link #pinRoot}; {@link #reopen} replaces it. */
    protected Datapath dp;
    /** The network namespace programs run in (FIB lookups, neighbours); null: the test's own. */
    private String netnsName;
    /** This test replaced the shared Datapath by an open of its own ({@link #reopen}). */
    private boolean reopened;
    /** ... with options other than the class's ({@link #reopen(UnaryOperator)}). */
    private boolean reopenedWithOtherOptions;

    @BeforeEach
    final void openDatapath() {
        if (shared == null) {
            shared = SharedDatapath.load();
        }
        pinRoot = shared.pinRoot;
        dp = shared.fresh();
    }

    @AfterEach
    final void closeDatapath() {
        if (reopened && !reopenedWithOtherOptions && dp != null) {
            shared.adopt(dp); // an open on the class's pins with the class's options: the next test resets it
            return;
        }
        try {
            if (dp != null) {
                dp.close();
            }
        } finally {
            if (reopened) {
                discardShared(); // other options may have resized maps or changed .rodata: the next test loads anew
            }
        }
    }

    @AfterAll
    static void discardShared() {
        if (shared != null) {
            try {
                shared.close();
            } finally {
                shared = null;
            }
        }
    }

    /** An agent restart: closes the Datapath and opens it again on the same pins. */
    protected final Datapath reopen() {
        return reopen(UnaryOperator.identity(), false);
    }

    /** An agent restart with other options ({@code change} of the test's defaults), on the same pins. */
    protected final Datapath reopen(UnaryOperator<DatapathOptions> change) {
        return reopen(change, true);
    }

    private Datapath reopen(UnaryOperator<DatapathOptions> change, boolean otherOptions) {
        reopened = true;
        reopenedWithOtherOptions |= otherOptions;
        dp.close();
        dp = null;
        dp = Datapath.open(change.apply(DatapathFixture.options(pinRoot)));
        return dp;
    }

    /** From now on programs run inside the namespace named {@code name} (one the test created). */
    protected final void runIn(String name) {
        netnsName = name;
    }

    /** One frame through {@code program} (BPF_PROG_TEST_RUN, repeat 1): its verdict and output. */
    protected final TestRun.Result run(String program, byte[] frame) {
        if (netnsName == null) {
            return dp.program(program).testRun(frame, 1);
        }
        return Netns.call(Netns.named(netnsName), () -> dp.program(program).testRun(frame, 1));
    }

    /** {@link #run(String, byte[])} of the frame {@code p} builds. */
    protected final TestRun.Result run(String program, Packets.Spec p) {
        return run(program, Packets.build(p));
    }

    /** {@link #run(String, Packets.Spec)}, and a frame not dropped leaves with a correct L4 checksum. */
    protected final TestRun.Result runChecked(String program, Packets.Spec p) {
        TestRun.Result r = run(program, p);
        if (r.verdict() != TC_ACT_SHOT) {
            assertThat(Packets.l4ChecksumOk(r.packet())).as("L4 checksum of the output\n" + Packets.hex(r.packet())).isTrue();
        }
        return r;
    }

    /** A ClusterIP Service of one frontend, named after its address. */
    static ServiceSpec svc(String vip, int port, Protocol p, ServiceSpec.Algorithm a, Backend... backends) {
        return new ServiceSpec("test/" + vip, Frontend.of(vip, port, p), false, a, List.of(backends));
    }

    /** A copy of {@code p} with other addresses and ports: a frame as a translation leaves it. */
    static Packets.Spec with(Packets.Spec p, String saddr, int sport, String daddr, int dport) {
        Packets.Spec c = p.copy();
        c.saddr = saddr;
        c.sport = sport;
        c.daddr = daddr;
        c.dport = dport;
        return c;
    }

    /** How many entries the pinned map {@code map} of this test's pin root holds. */
    final int entries(String map) {
        try (BpfMap m = BpfMap.openPinnedAsIs(PinLayout.mapsDir(pinRoot).resolve(map).toString())) {
            int n = 0;
            for (byte[] k = m.nextKey(null); k != null; k = m.nextKey(k)) {
                n++;
            }
            return n;
        }
    }

    /** The verdict and the output bytes (hex, so a failure shows where they differ). */
    static void assertPacket(TestRun.Result r, int verdict, byte[] expected) {
        assertThat(r.verdict()).as("verdict").isEqualTo(verdict);
        assertThat(Packets.hex(r.packet())).as("output packet").isEqualTo(Packets.hex(expected));
    }
}
