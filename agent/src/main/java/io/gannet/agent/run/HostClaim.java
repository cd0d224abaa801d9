package io.gannet.agent.run;

import io.gannet.linux.proc.SocketOwners;
import io.gannet.topology.config.NodeConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One daemon per host, checked before it speaks. Before the speaker opens a single BGP
 * connection, {@link #acquire} takes an exclusive lock ({@code flock}) on the state directory
 * and, when the datapath runs, on the BPF pin root; and it binds, checks and releases every
 * listener the daemon is about to open: the BGP port, the BFD ports (3784/udp single hop,
 * 4784/udp multihop) when a neighbor runs BFD, the metrics and control TCP ports, and the control
 * socket. Any conflict refuses the start with the user's terms: which path or port, who holds it
 * (pid and command, from procfs), and what to do. A daemon that is refused has sent nothing to
 * any peer, so the daemon already running keeps its sessions.
 *
 * <p>The locks are held until {@link #close}; the listeners are released right after the check
 * and bound for real a moment later by their owners (BFD sockets are not shareable,
 * see {@code UdpSocket}, so a race there also ends in a clear refusal, never in stolen packets).
 */
final class HostClaim implements AutoCloseable {
    static final String LOCK_FILE = "gannet.lock";
    /** Where pin-root locks live: bpffs holds no regular files. */
    static final Path PIN_ROOT_LOCKS = Path.of("/run/lock");
    static final int BFD_SINGLE_HOP = 3784;
    static final int BFD_MULTI_HOP = 4784;

    /** A start refused before anything was sent: the message is for the operator, as is. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final List<FileChannel> channels = new ArrayList<>();
    private final List<FileLock> locks = new ArrayList<>();

    private HostClaim() {}

    /** Locks and checks for a daemon about to run {@code node}; throws {@link Refused} on any conflict. */
    static HostClaim acquire(DaemonOptions options, NodeConfig node) {
        HostClaim claim = new HostClaim();
        try {
            claim.lockStateDir(options.stateDir());
            if (options.services()) {
                claim.lockPinRoot(options.bpfPinRoot());
            }
            checkControlSocket(options.controlSocket());
            if (node.listenAddress() != null || node.listenPort() > 0) {
                checkTcp("BGP", node.listenAddress(), node.listenPort(),
                        "stop the other BGP speaker (BIRD, FRR's bgpd, another gannet) or give this host another port in the profile");
            }
            if (options.metricsAddress() != null) {
                checkTcp("metrics (--metrics)", options.metricsAddress().getAddress(), options.metricsAddress().getPort(),
                        "choose another --metrics HOST:PORT");
            }
            if (options.controlTcp() != null) {
                checkTcp("control API (--control-port)", options.controlTcp().getAddress(), options.controlTcp().getPort(),
                        "choose another --control-port");
            }
            if (node.neighbors().stream().anyMatch(n -> n.bfd().enabled())) {
                checkBfd(BFD_SINGLE_HOP, "single hop");
                checkBfd(BFD_MULTI_HOP, "multihop");
            }
            return claim;
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    private void lockStateDir(Path stateDir) {
        Path lockFile = stateDir.resolve(LOCK_FILE);
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new Refused("cannot create state dir " + stateDir + ": " + reason(e)
                    + "; give --state-dir a directory this user can write (the default is /var/lib/gannet, for root)");
        }
        lock(lockFile, "state dir " + stateDir, "stop it first, or give this daemon its own --state-dir");
    }

    private void lockPinRoot(Path pinRoot) {
        if (!Files.isDirectory(PIN_ROOT_LOCKS) || !Files.isWritable(PIN_ROOT_LOCKS)) {
            return;
        }
        String name = "gannet-bpf" + pinRoot.toAbsolutePath().normalize().toString().replace('/', '_') + ".lock";
        lock(PIN_ROOT_LOCKS.resolve(name), "BPF pin root " + pinRoot, "stop it first, or give this daemon its own --bpf-pin-root");
    }

    private void lock(Path lockFile, String what, String fix) {
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new Refused(what + " is not writable (" + lockFile + ": permission denied): run as root, or choose a directory this user owns");
        } catch (FileSystemException e) {
            throw new Refused(what + ": cannot open " + lockFile + ": " + reason(e)
                    + (String.valueOf(e.getReason()).contains("Read-only") ? "; the file system is read-only: choose a writable directory" : ""));
        } catch (IOException e) {
            throw new Refused(what + ": cannot open " + lockFile + ": " + reason(e));
        }
        channels.add(ch);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException e) {
            throw new Refused(what + ": cannot lock " + lockFile + ": " + reason(e));
        }
        if (lock == null) {
            String holder = holderOf(ch);
            throw new Refused(what + " is in use by another gannet daemon" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + ": " + fix);
        }
        locks.add(lock);
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
        } catch (IOException e) {
            throw new Refused(what + ": cannot write " + lockFile + ": " + reason(e)
                    + (reason(e).contains("No space") ? "; the disk is full: free space on it" : ""));
        }
    }

    private static String holderOf(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = ch.read(b, 0);
            return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static void checkControlSocket(Path socket) {
        if (!Files.exists(socket)) {
            return;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return; // left by a daemon that died: the control server replaces it
        }
        throw new Refused("another gannet daemon answers on the control socket " + socket
                + ": stop it first, or give this daemon its own --socket");
    }

    private static void checkTcp(String what, InetAddress address, int port, String fix) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            throw bindRefused(what, (address == null ? "*" : address.getHostAddress()) + ":" + port + "/tcp", port, e,
                    SocketOwners.describe(SocketOwners.tcpListeners(port)), fix);
        } catch (IOException e) {
            throw new Refused(what + " port " + port + "/tcp: " + reason(e));
        }
    }

    private static void checkBfd(int port, String mode) {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.bind(new InetSocketAddress(port));
        } catch (BindException e) {
            throw bindRefused("BFD " + mode, "*:" + port + "/udp", port, e, SocketOwners.describe(SocketOwners.udp(port)),
                    "another BFD speaker runs on this host (a second gannet, FRR's bfdd or BIRD's BFD): stop it, one BFD owner per host");
        } catch (IOException e) {
            throw new Refused("BFD " + mode + " port " + port + "/udp: " + reason(e));
        }
    }

    private static Refused bindRefused(String what, String where, int port, BindException e, String holder, String fix) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Permission denied") || m.contains("Access denied")) {
            return new Refused(what + " port " + where + " needs root or CAP_NET_BIND_SERVICE (ports below 1024): run gannet as root"
                    + " (the systemd unit does), or grant the capability: setcap cap_net_bind_service=+ep "
                    + ProcessHandle.current().info().command().orElse("<java>"));
        }
        if (m.contains("Cannot assign requested address")) {
            return new Refused(what + " address " + where + " is not configured on this host: add it to an interface,"
                    + " or fix the host's address in the profile");
        }
        return new Refused(what + " port " + where + " is already in use" + (holder.isEmpty() ? "" : ", " + holder) + ": " + fix);
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? "I/O error" : e.getMessage();
    }

    /** Releases the locks (idempotent). */
    @Override
    public void close() {
        for (FileLock l : locks) {
            try {
                l.release();
            } catch (IOException e) {
                // closing the channel releases it too
            }
        }
        locks.clear();
        for (FileChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
        channels.clear();
    }
}
