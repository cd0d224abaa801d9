package io.gannet.agent.run;

import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a restart of the daemon means for the fabric, seen from behind the switch: a "client"
 * namespace linked to the switch namespace pings an address of the node's PodCIDR (put on the
 * node namespace's loopback) through the switch, which forwards by the route it
 * learned over BGP, while a watcher polls the switch's RIB for the PodCIDR. Only namespaces
 * and links this fixture creates are touched; closing it removes them.
 */
final class TrafficThroughSwitch implements AutoCloseable {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private final NetworkNamespace client;
    private final String target;
    private Process ping;
    private Thread watcher;
    private final List<String> missing = new ArrayList<>();
    private volatile boolean watching;
    private int samples;

    /**
     * @param sw       the switch's namespace (forwarding is turned on there)
     * @param node     the node's namespace: {@code podAddress} goes on its loopback, the client
     *                 subnet is routed back through {@code switchNodeSide}
     * @param clientNet the client link as "a.b.c.0" of a /30: .1 at the switch, .2 at the client
     */
    TrafficThroughSwitch(String nsPrefix, NetworkNamespace sw, NetworkNamespace node, String podAddress, String switchNodeSide,
            String clientNet) {
        this.target = podAddress;
        String base = clientNet.substring(0, clientNet.lastIndexOf('.') + 1);
        client = NetworkNamespace.create(nsPrefix);
        try {
            client.linkTo(sw, "cl0", base + "2/30", "cl-sw", base + "1/30");
            client.exec("ip", "route", "add", "default", "via", base + "1");
            sw.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            // The namespace's own loopback (the dummy module may be missing in containers).
            node.exec("ip", "link", "set", "lo", "up");
            node.exec("ip", "addr", "add", podAddress + "/32", "dev", "lo");
            node.exec("ip", "route", "add", base + "0/30", "via", switchNodeSide);
        } catch (RuntimeException e) {
            // The caller never gets this fixture to close: remove the namespace here.
            client.close();
            throw e;
        }
    }

    /** True when one ping from the client reaches the PodCIDR address through the switch. */
    boolean reachable() {
        try {
            Process p = new ProcessBuilder(client.inside("ping", "-n", "-q", "-c", "1", "-W", "1", target))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(3, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts pinging every 20 ms and polling {@code rib} (the switch's RIB text) every 100 ms,
     * recording every sample in which {@code hasPodCidr} did not hold.
     */
    void start(java.util.function.Supplier<String> rib, Predicate<String> hasPodCidr) throws IOException {
        ping = new ProcessBuilder(client.inside("ping", "-n", "-q", "-i", "0.02", "-W", "1", target)).redirectErrorStream(true).start();
        watching = true;
        watcher = new Thread(() -> {
            while (watching) {
                String text = rib.get();
                synchronized (this) {
                    samples++;
                    if (!hasPodCidr.test(text)) {
                        missing.add(text);
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rib-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** What the run saw: pings sent and answered, RIB samples and those without the PodCIDR. */
    record Outcome(int sent, int received, int ribSamples, List<String> ribWithoutPodCidr) {
        int lost() {
            return sent - received;
        }
    }

    /** Stops the ping (SIGINT, so it prints its summary) and the watcher. */
    Outcome stop() throws Exception {
        watching = false;
        watcher.join(5000);
        NetworkNamespace.Shell.run("kill", "-INT", Long.toString(ping.pid()));
        String out = new String(ping.getInputStream().readAllBytes());
        ping.waitFor(5, TimeUnit.SECONDS);
        Matcher m = SUMMARY.matcher(out);
        if (!m.find()) {
            throw new AssertionError("no ping summary: " + out);
        }
        synchronized (this) {
            return new Outcome(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), samples, List.copyOf(missing));
        }
    }

    @Override
    public void close() {
        watching = false;
        if (ping != null && ping.isAlive()) {
            ping.destroyForcibly();
        }
        client.close();
    }
}
