package io.gannet.bpf;

import io.gannet.bpf.maps.MaglevValue;
import io.gannet.bpf.lb.Clock;
import io.gannet.bpf.maps.ConfigValue;
import java.nio.file.Path;

/**
 * How to open the datapath.
 *
 * @param pinRoot   bpffs directory for maps and programs (default /sys/fs/bpf/gannet)
 * @param netns     network namespace path devices live in ({@code /run/netns/NAME}); null = the agent's own
 * @param objectDir directory holding bpf_lxc.o / bpf_host.o; null = the ones shipped in the jar
 * @param timeouts  conntrack timeouts in seconds (zero fields = program defaults)
 * @param clock     CLOCK_MONOTONIC seconds, for conntrack garbage collection
 * @param coexist   attach even when another program (another CNI's) is on the same TC hook;
 *                  false (default) refuses with a message naming it
 * @param conntrackMax entries of the conntrack table (dp_ct4, and dp_snat4 alike); 0 = sized from
 *                  the node's memory ({@link ConntrackSize#auto})
 * @param maglevTableSize entries of each Maglev table (a prime, {@link MaglevValue#DEFAULT_M} by
 *                  default); every host serving a VIP must use the same one
 */
public record DatapathOptions(Path pinRoot, String netns, Path objectDir, ConfigValue timeouts, Clock clock, boolean coexist,
        int conntrackMax, int maglevTableSize) {
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/gannet");
    /** TCP SYN 60 s, established 6 h, closing 10 s, UDP idle 60 s. */
    public static final ConfigValue DEFAULT_TIMEOUTS = new ConfigValue(60, 21600, 10, 60);

    public static DatapathOptions defaults() {
        return new DatapathOptions(DEFAULT_PIN_ROOT, null, null, DEFAULT_TIMEOUTS, Clock.SYSTEM, false, 0, MaglevValue.DEFAULT_M);
    }

    public DatapathOptions withPinRoot(Path p) {
        return new DatapathOptions(p, netns, objectDir, timeouts, clock, coexist, conntrackMax, maglevTableSize);
    }

    public DatapathOptions withNetns(String ns) {
        return new DatapathOptions(pinRoot, ns, objectDir, timeouts, clock, coexist, conntrackMax, maglevTableSize);
    }

    public DatapathOptions withObjectDir(Path d) {
        return new DatapathOptions(pinRoot, netns, d, timeouts, clock, coexist, conntrackMax, maglevTableSize);
    }

    public DatapathOptions withTimeouts(ConfigValue t) {
        return new DatapathOptions(pinRoot, netns, objectDir, t, clock, coexist, conntrackMax, maglevTableSize);
    }

    public DatapathOptions withClock(Clock c) {
        return new DatapathOptions(pinRoot, netns, objectDir, timeouts, c, coexist, conntrackMax, maglevTableSize);
    }

    public DatapathOptions withCoexist(boolean c) {
        return new DatapathOptions(pinRoot, netns, objectDir, timeouts, clock, c, conntrackMax, maglevTableSize);
    }

    public DatapathOptions withConntrackMax(int n) {
        if (n != 0 && (n < ConntrackSize.MIN || n > ConntrackSize.MAX)) {
            throw new IllegalArgumentException("conntrack table of " + n + " entries: " + ConntrackSize.MIN + " to " + ConntrackSize.MAX
                    + " (or 0: sized from the node's memory)");
        }
        return new DatapathOptions(pinRoot, netns, objectDir, timeouts, clock, coexist, n, maglevTableSize);
    }

    /**
     * Maglev tables of {@code m} entries: a prime from {@link MaglevValue#MIN_M} to {@link MaglevValue#MAX_M}
     * (the Maglev paper's rule: at least 100 times the backends a service has, for balance).
     */
    public DatapathOptions withMaglevTableSize(int m) {
        MaglevValue.requireTableSize(m);
        return new DatapathOptions(pinRoot, netns, objectDir, timeouts, clock, coexist, conntrackMax, m);
    }

    /** The conntrack table size this open uses: the one asked for, or the node's. */
    public int conntrackEntries() {
        return conntrackMax != 0 ? conntrackMax : ConntrackSize.auto();
    }
}
