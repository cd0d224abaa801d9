package io.gannet.l4lb.exabgp;

import io.gannet.l4lb.EventSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A health-check script run the way ExaBGP's {@code process} runs it: Gannet starts the
 * command, reads API lines from its stdout, writes one ack per line to its stdin, logs its
 * stderr, and starts it again after it exits (1 s, doubling to 30 s). Acks go through a
 * bounded queue, so a script that never reads its stdin cannot block the reader (acks it
 * does not read are dropped, as its pipe would fill anyway).
 *
 * <p>Threads: virtual threads per process for the supervisor, stdout, stdin and stderr.
 */
public final class ExaProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final ExaApi api;
    private final EventSink events;
    private final Thread supervisor;
    private volatile Process current;
    private volatile boolean closed;

    private ExaProcess(String name, List<String> command, ExaApi api, EventSink events) {
        this.name = name;
        this.command = List.copyOf(command);
        this.api = api;
        this.events = events;
        this.supervisor = Thread.ofVirtual().name("gannet-exabgp-process-" + name).start(this::supervise);
    }

    public static ExaProcess start(String name, List<String> command, ExaApi api, EventSink events) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("process " + name + ": empty command");
        }
        return new ExaProcess(name, command, api, events);
    }

    private void supervise() {
        long backoff = 1000;
        while (!closed) {
            long started = System.nanoTime();
            try {
                Process p = new ProcessBuilder(command).start();
                current = p;
                events.event("exabgp-process", name, "started " + String.join(" ", command) + " (pid " + p.pid() + ")");
                run(p);
                int rc = p.waitFor();
                if (closed) {
                    return;
                }
                events.event("exabgp-process", name, "exited with " + rc + "; restarting in " + backoff / 1000.0 + " s");
            } catch (IOException e) {
                events.event("exabgp-process", name, "cannot start " + command.get(0) + ": " + e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(60)) {
                backoff = 1000;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(30_000, backoff * 2);
        }
    }

    private void run(Process p) throws InterruptedException {
        BlockingQueue<String> acks = new ArrayBlockingQueue<>(1024);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream out = p.getOutputStream()) {
                while (true) {
                    String a = acks.take();
                    out.write((a + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the process is gone or we stop
            }
        });
        Thread errors = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    events.event("exabgp-process", name, "stderr: " + l);
                }
            } catch (IOException e) {
                // gone
            }
        });
        try {
            LineChannel.serve(p.getInputStream(), new OutputStream() {
                private final StringBuilder line = new StringBuilder();

                @Override
                public void write(int b) {
                    if (b == '\n') {
                        acks.offer(line.toString());
                        line.setLength(0);
                    } else {
                        line.append((char) b);
                    }
                }
            }, api, "process " + name);
        } catch (IOException e) {
            // stdout closed
        }
        p.waitFor();
        writer.interrupt();
        errors.join(1000);
    }

    @Override
    public void close() {
        closed = true;
        Process p = current;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        supervisor.interrupt();
    }
}
