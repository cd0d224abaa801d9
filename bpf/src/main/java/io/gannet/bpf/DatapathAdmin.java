package io.gannet.bpf;

import io.gannet.bpf.libbpf.BpfException;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.libbpf.Tc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code gannet datapath status|reset}, without a running daemon: what Gannet has pinned
 * under a pin root and attached to the devices of a network namespace, and a clean
 * uninstall that removes Gannet's TC filters and XDP links, the clsact qdiscs left empty by that,
 * and every pin. Reset refuses while a daemon holds the pin root ({@link PinRootLock}).
 */
public final class DatapathAdmin {
    private DatapathAdmin() {}

    /** Gannet's program on one device hook. */
    public record Hook(String device, String direction, int programId) {}

    /**
     * @param layout       the pin layout found ("v2", "v1 (will be migrated)", or "none")
     * @param daemonRunning a daemon holds the pin root lock
     * @param pins         every pin under the root, relative to it
     * @param hooks        devices where Gannet's TC program is attached, its XDP links ({@code direction}
     *                     "xdp native" / "xdp generic"; program 0: the device is gone), and the cgroup of socket-level
     *                     load balancing ({@code device} "cgroup PATH", {@code direction} the program)
     */
    public record Status(Path pinRoot, String layout, boolean daemonRunning, List<String> pins, List<Hook> hooks) {}

    /** What reset removed. */
    public record Reset(List<Hook> detached, List<String> clsactRemoved, int pinsRemoved) {}

    public static Status status(Path pinRoot, String netns) {
        List<String> pins = new ArrayList<>();
        if (Files.isDirectory(pinRoot)) {
            try (Stream<Path> s = Files.walk(pinRoot)) {
                s.filter(p -> !Files.isDirectory(p)).sorted().forEach(p -> pins.add(pinRoot.relativize(p).toString()));
            } catch (IOException e) {
                throw new BpfException(BpfException.Kind.OTHER, "list " + pinRoot, 0, e.toString());
            }
        }
        String layout = Files.isDirectory(PinLayout.mapsDir(pinRoot)) ? PinLayout.CURRENT
                : PinLayout.hasV1(pinRoot) ? "v1 (migrated when the daemon starts)" : "none";
        boolean running = false;
        if (Files.isDirectory(pinRoot)) {
            try (PinRootLock l = PinRootLock.acquire(pinRoot)) {
                running = false;
            } catch (BpfException e) {
                running = e.kind() == BpfException.Kind.BUSY;
            }
        }
        List<Hook> hooks = new ArrayList<>(hooks(netns, pinRoot));
        hooks.addAll(xdpHooks(netns, pinRoot));
        hooks.addAll(cgroupHooks(pinRoot));
        return new Status(pinRoot, layout, running, List.copyOf(pins), List.copyOf(hooks));
    }

    /** The XDP fast path's links pinned under the pin root ({@code direction} "xdp native" or "xdp generic"). */
    private static List<Hook> xdpHooks(String netns, Path pinRoot) {
        return Netns.call(netns, () -> {
            List<Hook> out = new ArrayList<>();
            for (io.gannet.bpf.libbpf.XdpLink.Attached a : io.gannet.bpf.libbpf.XdpLink.attached(PinLayout.linksDir(pinRoot))) {
                out.add(new Hook(a.device(), a.nativeMode() ? "xdp native" : "xdp generic", a.programId()));
            }
            return out;
        });
    }

    /** Socket-level load balancing's links pinned under the pin root, with the cgroup each is on. */
    private static List<Hook> cgroupHooks(Path pinRoot) {
        List<Hook> out = new ArrayList<>();
        for (io.gannet.bpf.lb.SocketLbFeature.Hook h : io.gannet.bpf.lb.SocketLbFeature.HOOKS) {
            io.gannet.bpf.libbpf.CgroupLink.Attached a = io.gannet.bpf.libbpf.CgroupLink.attached(
                    PinLayout.linksDir(pinRoot).resolve(h.program()));
            if (a != null) {
                Path where = io.gannet.bpf.libbpf.CgroupLink.cgroupPath(a.cgroupId());
                out.add(new Hook("cgroup " + (where != null ? where : "id " + a.cgroupId()), h.program(), a.programId()));
            }
        }
        return out;
    }

    /** Gannet's programs on the devices' TC hooks: its tcx links pinned under the pin root, or its cls_bpf filters. */
    private static List<Hook> hooks(String netns, Path pinRoot) {
        return Netns.call(netns, () -> {
            List<Hook> out = new ArrayList<>();
            for (String dev : Tc.devices()) {
                for (Tc.Direction d : Tc.Direction.values()) {
                    int id = Tc.query(dev, d, PinLayout.linksDir(pinRoot));
                    if (id != 0) {
                        out.add(new Hook(dev, d.toString().toLowerCase(java.util.Locale.ROOT), id));
                    }
                }
            }
            return out;
        });
    }

    /** Detaches Gannet everywhere in {@code netns} and removes every pin; refuses while a daemon runs. */
    public static Reset reset(Path pinRoot, String netns) {
        PinRootLock lock;
        try {
            lock = Files.isDirectory(pinRoot) ? PinRootLock.acquire(pinRoot) : null;
        } catch (BpfException e) {
            if (e.kind() == BpfException.Kind.BUSY) {
                throw new BpfException(BpfException.Kind.BUSY, "reset " + pinRoot, 0,
                        "a gannet daemon is running on this pin root: stop it first");
            }
            throw e;
        }
        try {
            List<Hook> detached = new ArrayList<>(hooks(netns, pinRoot));
            List<Hook> xdp = xdpHooks(netns, pinRoot);
            Netns.run(netns, () -> {
                for (Hook h : xdp) {
                    io.gannet.bpf.libbpf.XdpLink.detach(h.device(), PinLayout.linksDir(pinRoot));
                }
            });
            List<Hook> cgroups = cgroupHooks(pinRoot);
            for (Hook h : cgroups) {
                io.gannet.bpf.libbpf.CgroupLink.detach(PinLayout.linksDir(pinRoot).resolve(h.direction()));
            }
            List<String> clsact = new ArrayList<>();
            Netns.run(netns, () -> {
                List<String> devices = new ArrayList<>();
                for (Hook h : List.copyOf(detached)) {
                    Tc.Direction d = "ingress".equals(h.direction()) ? Tc.Direction.INGRESS : Tc.Direction.EGRESS;
                    boolean filter = Tc.query(h.device(), d) != 0; // a cls_bpf filter (no tcx, or an earlier Gannet)
                    Tc.detach(h.device(), d, PinLayout.linksDir(pinRoot));
                    if (filter && !devices.contains(h.device())) {
                        devices.add(h.device());
                    }
                }
                for (String dev : devices) {
                    if (emptyHook(dev, "ingress") && emptyHook(dev, "egress")) {
                        Tc.destroyClsact(dev);
                        clsact.add(dev);
                    }
                }
            });
            int removed = 0;
            if (Files.exists(pinRoot)) {
                try (Stream<Path> s = Files.walk(pinRoot)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        if (!p.equals(pinRoot)) {
                            Files.deleteIfExists(p);
                            removed += Files.isDirectory(p) ? 0 : 1;
                        }
                    }
                } catch (IOException e) {
                    throw new BpfException(BpfException.Kind.OTHER, "remove pins under " + pinRoot, 0, e.toString());
                }
            }
            detached.addAll(xdp);
            detached.addAll(cgroups);
            return new Reset(List.copyOf(detached), List.copyOf(clsact), removed);
        } finally {
            if (lock != null) {
                lock.close();
            }
            try {
                Files.deleteIfExists(pinRoot);
            } catch (IOException e) {
                // not empty: someone pinned something else here meanwhile; leave it
            }
        }
    }

    /** No filter of any kind left on a hook (so the clsact qdisc holds nothing of anyone's). */
    private static boolean emptyHook(String dev, String side) {
        try {
            Process p = new ProcessBuilder("tc", "filter", "show", "dev", dev, side).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor() == 0 && out.isBlank();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
