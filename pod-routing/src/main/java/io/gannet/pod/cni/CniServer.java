package io.gannet.pod.cni;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the plugin binary on a Unix socket (mode 0600: root only), one request per
 * connection ({@link CniWire}); requests run one at a time on the {@code gannet-cni} worker.
 */
public final class CniServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);
    /** Longer than any ADD takes; the runtime's own timeout is usually minutes. */
    private static final long REQUEST_TIMEOUT_SECONDS = 60;

    private final Path path;
    private final ServerSocketChannel server;
    private final ExecutorService worker;
    private final CniBackend backend;
    private final Thread acceptor;
    private volatile boolean closed;

    private CniServer(Path path, ServerSocketChannel server, CniBackend backend) {
        this.path = path;
        this.server = server;
        this.backend = backend;
        this.worker = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("gannet-cni").daemon(true).unstarted(r));
        this.acceptor = Thread.ofPlatform().name("gannet-cni-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /** Binds {@code path} (a stale socket file left by a dead daemon is replaced) and starts serving. */
    public static CniServer start(Path path, CniBackend backend) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot serve the CNI plugin on " + path + ": " + e.getMessage(), e);
        }
        CniServer s = new CniServer(path, ch, backend);
        s.acceptor.start();
        LOG.info("CNI backend listening on {}", path);
        return s;
    }

    public Path path() {
        return path;
    }

    /** Runs {@code task} on the CNI worker (the owner of pod state) and waits for it. */
    public <T> T onWorker(java.util.concurrent.Callable<T> task) throws Exception {
        return worker.submit(task).get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread.ofVirtual().name("gannet-cni-conn").start(() -> serve(c));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("CNI socket accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            CniBackend.Answer answer;
            try {
                InputStream in = Channels.newInputStream(c);
                CniWire.Request req = CniWire.read(in);
                Future<CniBackend.Answer> f = worker.submit(() -> backend.handle(req.env(), req.stdin()));
                try {
                    answer = f.get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    answer = CniBackend.error("1.1.0", new CniError(CniError.TRY_AGAIN_LATER,
                            "the Gannet daemon did not finish the request within " + REQUEST_TIMEOUT_SECONDS + " s"));
                }
            } catch (CniError e) {
                answer = CniBackend.error("1.1.0", e);
            } catch (ExecutionException e) {
                answer = CniBackend.error("1.1.0", new CniError(CniError.IO_FAILURE, "internal error: " + e.getCause()));
            }
            ByteBuffer out = ByteBuffer.wrap(CniWire.response(answer.exitCode(), answer.stdout()));
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            LOG.debug("CNI client went away: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
