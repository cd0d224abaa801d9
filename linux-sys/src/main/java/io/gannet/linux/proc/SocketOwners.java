package io.gannet.linux.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who holds a local TCP or UDP port in the caller's network namespace, from procfs: the
 * sockets bound to the port in {@code /proc/thread-self/net/{tcp,tcp6,udp,udp6}} (the calling
 * thread's network namespace) (TCP: listening ones
 * only), their inodes, and the processes whose {@code /proc/PID/fd} link to those inodes. Used
 * to turn "address already in use" into "port 179/tcp is held by pid 812 (bird)".
 *
 * <p>Best effort and read-only: processes this user may not inspect are left out, and a
 * port whose holder cannot be seen is answered with an empty list.
 */
public final class SocketOwners {
    private static final String TCP_LISTEN = "0A";

    private SocketOwners() {}

    /** A process holding a socket: pid and command name. */
    public record Owner(long pid, String command) {
        @Override
        public String toString() {
            return "pid " + pid + " (" + command + ")";
        }
    }

    /** Holders of local TCP port {@code port} in LISTEN state. */
    public static List<Owner> tcpListeners(int port) {
        return owners(inodes(List.of("tcp", "tcp6"), port, true));
    }

    /** Holders of local UDP port {@code port}. */
    public static List<Owner> udp(int port) {
        return owners(inodes(List.of("udp", "udp6"), port, false));
    }

    /** "held by pid 1 (x), pid 2 (y)" or "" when nobody visible holds it. */
    public static String describe(List<Owner> owners) {
        if (owners.isEmpty()) {
            return "";
        }
        List<String> s = new ArrayList<>();
        owners.forEach(o -> s.add(o.toString()));
        return "held by " + String.join(", ", s);
    }

    static Set<String> inodes(List<String> tables, int port, boolean listenOnly) {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        Set<String> inodes = new HashSet<>();
        for (String table : tables) {
            List<String> lines;
            try {
                // thread-self: the calling thread's namespace (a BFD thread may have setns'd
                // into another one), where /proc/net shows the process leader's.
                Path dir = Files.isDirectory(Path.of("/proc/thread-self/net")) ? Path.of("/proc/thread-self/net") : Path.of("/proc/net");
                lines = Files.readAllLines(dir.resolve(table));
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                String local = f[1];
                int colon = local.lastIndexOf(':');
                if (colon < 0 || !local.substring(colon + 1).equalsIgnoreCase(hexPort)) {
                    continue;
                }
                if (listenOnly && !TCP_LISTEN.equals(f[3])) {
                    continue;
                }
                if (!"0".equals(f[9])) {
                    inodes.add(f[9]);
                }
            }
        }
        return inodes;
    }

    static List<Owner> owners(Set<String> inodes) {
        Set<Owner> out = new LinkedHashSet<>();
        if (inodes.isEmpty()) {
            return List.of();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(fd).toString();
                        } catch (IOException | UnsupportedOperationException e) {
                            continue;
                        }
                        if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                            out.add(new Owner(Long.parseLong(proc.getFileName().toString()), command(proc)));
                            break;
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // gone meanwhile, or not ours to inspect
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return List.copyOf(out);
    }

    private static String command(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
