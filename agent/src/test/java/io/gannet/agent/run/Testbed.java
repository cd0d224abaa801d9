package io.gannet.agent.run;

import io.gannet.bpf.Datapath;
import io.gannet.linux.Cgroup2;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * What a daemon test made and must remove, and nothing else: its namespaces, the processes it
 * started in them, its daemons, its pin root and its cgroup. {@link #close} removes them newest first, so a
 * daemon stops before the namespace it runs in goes, and a pin root goes after the daemons that
 * used it. Names are unique per run ({@link NetworkNamespace#create} adds the test JVM's pid).
 */
final class Testbed implements AutoCloseable {
    private final Deque<AutoCloseable> made = new ArrayDeque<>();
    private int ports;

    /** A namespace named {@code gt-PREFIX-PID}, removed at close. */
    NetworkNamespace ns(String prefix) {
        NetworkNamespace n = NetworkNamespace.create(prefix);
        made.push(n);
        return n;
    }

    /** A namespace holding a bridge {@code br0}: a LAN that {@link #host}s plug into. */
    NetworkNamespace lan(String prefix) {
        NetworkNamespace lan = ns(prefix);
        lan.exec("ip", "link", "add", "br0", "type", "bridge");
        lan.exec("ip", "link", "set", "br0", "up");
        return lan;
    }

    /**
     * A host on {@code lan}: a namespace whose {@code eth0} is a veth to a port of the LAN's
     * bridge, up, with {@code addresses} (address/length; IPv6 ones without duplicate address
     * detection, so they are usable at once).
     */
    NetworkNamespace host(NetworkNamespace lan, String prefix, String... addresses) {
        NetworkNamespace h = ns(prefix);
        String port = prefix.substring(0, Math.min(2, prefix.length())) + ProcessHandle.current().pid() % 100000 + "p" + ports++;
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", h.name(), "type", "veth", "peer", "name", port,
                "netns", lan.name());
        lan.exec("ip", "link", "set", port, "master", "br0");
        lan.exec("ip", "link", "set", port, "up");
        for (String a : addresses) {
            if (a.contains(":")) {
                h.exec("ip", "-6", "addr", "add", a, "dev", "eth0", "nodad");
            } else {
                h.exec("ip", "addr", "add", a, "dev", "eth0");
            }
        }
        h.exec("ip", "link", "set", "eth0", "up");
        return h;
    }

    /** {@code command} started in {@code ns}, killed at close. */
    Process start(NetworkNamespace ns, String... command) throws IOException {
        Process p = ns.start(command);
        made.push(() -> p.destroyForcibly().waitFor(5, TimeUnit.SECONDS));
        return p;
    }

    /** A daemon, stopped at close (a daemon the test stopped already is left as it is). */
    GannetProcess daemon(GannetProcess g) {
        return own(g);
    }

    /** Anything else the test made (a router, a store), closed at close in its turn. */
    <T extends AutoCloseable> T own(T thing) {
        made.push(thing);
        return thing;
    }

    /** A pin root of this run's own ({@code /sys/fs/bpf/gannet-NAME-PID}), removed at close with all its pins. */
    Path pinRoot(String name) {
        Path p = Path.of("/sys/fs/bpf/gannet-" + name + "-" + ProcessHandle.current().pid());
        made.push(() -> Datapath.removePins(p));
        return p;
    }

    /** A cgroup v2 directory of this run's own ({@code gannet-test-NAME-PID} under the cgroup2 mount), removed at close. */
    Path cgroup(String name) throws IOException {
        Path root = Cgroup2.mount();
        Requirements.require(root != null, "needs a cgroup2 mount");
        Path c = Files.createDirectory(root.resolve("gannet-test-" + name + "-" + ProcessHandle.current().pid()));
        made.push(() -> Files.deleteIfExists(c));
        return c;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!made.isEmpty()) {
            try {
                made.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
