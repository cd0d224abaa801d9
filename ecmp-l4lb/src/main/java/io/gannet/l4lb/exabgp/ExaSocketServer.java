package io.gannet.l4lb.exabgp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ExaBGP-style API on a Unix socket (mode 0660): any number of health checkers connect,
 * write lines, read one ack per line. Threads: one virtual thread accepts, one per
 * connection; they block only on their own socket.
 */
public final class ExaSocketServer implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private ExaSocketServer(Path path, ServerSocketChannel server, ExaApi api) {
        this.path = path;
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("gannet-exabgp-accept").start(() -> accept(api));
    }

    /** Binds {@code path} (a stale socket file there is replaced). */
    public static ExaSocketServer start(Path path, ExaApi api) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        return new ExaSocketServer(path, s, api);
    }

    private void accept(ExaApi api) {
        int n = 0;
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return;
            }
            clients.add(c);
            String source = "socket#" + (++n);
            Thread.ofVirtual().name("gannet-exabgp-" + source).start(() -> {
                try (c) {
                    LineChannel.serve(Channels.newInputStream(c), Channels.newOutputStream(c), api, source);
                } catch (IOException e) {
                    // the checker went away
                } finally {
                    clients.remove(c);
                }
            });
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (SocketChannel c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        acceptor.interrupt();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // left behind; the next start replaces it
        }
    }
}
