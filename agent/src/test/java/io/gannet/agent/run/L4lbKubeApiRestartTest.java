package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.run.L4lbHostBed.Connection;
import io.gannet.agent.run.L4lbHostBed.Family;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.KubeApiMock;
import io.gannet.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart hold of an L4LB host that takes its Services from the Kubernetes API
 * ({@code gannet run --kube-api KUBECONFIG}, role l4lb; {@link L4lbHostBed}, IPv4, TC). The API is
 * fabric8's mock server in CRUD mode in this JVM (no API server runs here), reached from the
 * host's namespace through two forwarders (TCP 127.0.0.1:6443 in the namespace -> a Unix socket
 * -> the mock's loopback port), so the test can make the API not answer by stopping the one in
 * the namespace.
 *
 * <p>Proves: a host restarted while the API does not answer keeps the earlier run's pinned tables
 * for as long as the first list has not completed (an established connection goes on, new
 * connections reach the backend, {@code show vips} shows the re-adopted frontends as held, waiting
 * for the first list, with the backends the earlier tables send flows to), though
 * every health check would have risen meanwhile; when the API answers, this run's tables are
 * programmed once health is known, and the connection still goes on. Each step failed before:
 * the empty list the source gave before it had listed ended the hold at once and programmed no
 * VIP (the connection reset); the new run's nftables set started empty, so new connections through
 * the earlier tables left unmasqueraded (timed out); and the checks' time to rise counted from the
 * restart, so a list that came later than that was programmed before any check had risen (the
 * connection reset as its backend "left").
 */
class L4lbKubeApiRestartTest {
    private static final int API_PORT = 6443;

    /** Accepts on LISTEN (tcp HOST:PORT or unix PATH) and pipes each connection to CONNECT. */
    private static final String FORWARD = """
            import os, socket, sys, threading
            lkind, laddr, ckind, caddr = sys.argv[1:5]
            def sock(kind):
                return socket.socket(socket.AF_UNIX if kind == "unix" else socket.AF_INET)
            def addr(kind, a):
                if kind == "unix":
                    return a
                h, p = a.rsplit(":", 1)
                return (h, int(p))
            srv = sock(lkind)
            if lkind == "unix":
                if os.path.exists(laddr):
                    os.unlink(laddr)
            else:
                srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(addr(lkind, laddr))
            srv.listen(64)
            print("listening", flush=True)
            def pipe(a, b):
                try:
                    while True:
                        d = a.recv(65536)
                        if not d:
                            break
                        b.sendall(d)
                except OSError:
                    pass
                try:
                    b.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            def serve(c):
                u = sock(ckind)
                try:
                    u.connect(addr(ckind, caddr))
                except OSError:
                    c.close()
                    return
                threading.Thread(target=pipe, args=(c, u), daemon=True).start()
                pipe(u, c)
            while True:
                c, _ = srv.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void aRestartedHostKeepsTheEarlierTablesUntilTheApiHasListed() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("nft");
        Requirements.requireCommand("python3");
        KubeApiMock mock = bed.own(new KubeApiMock());
        L4lbHostBed lb = new L4lbHostBed(bed, dir, "l4lbkube", Family.IPV4);
        for (String doc : lb.serviceYaml().split("(?m)^---$")) {
            mock.apply(doc);
        }
        Path sock = dir.resolve("kube.sock");
        Process toMock = new ProcessBuilder("python3", "-c", FORWARD, "unix", sock.toString(), "tcp", "127.0.0.1:" + mock.port())
                .redirectErrorStream(true).start();
        bed.own(() -> toMock.destroyForcibly().waitFor(5, TimeUnit.SECONDS));
        awaitListening(toMock);
        Process inLb = apiInLb(lb.lb, sock);
        lb.source("--kube-api", KubeApiMock.kubeconfig(dir.resolve("kubeconfig"), API_PORT).toString());
        String fe = lb.family.frontend(80);
        String echoFe = lb.family.frontend(7000);

        // --- the first run: the Service from the API served, a long-lived connection through it
        lb.restart();
        lb.awaitVip(fe, v -> v.path("healthy").asText().equals("1/1"));
        lb.awaitVip(echoFe, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(lb.flows(21000, 5)).containsOnly("be1");
        Connection established = lb.connect();
        assertThat(established.say("one")).isEqualTo("echo one");

        // --- restarted while the API does not answer: the first list is late
        inLb.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        GannetProcess second = lb.restart();
        second.awaitTrue("the restarted daemon's show vips", () -> second.cli("show", "vips").contains(lb.family.vip()),
                second::log);
        // every health check (500 ms interval, rise 1) would have risen by now: the hold is not
        // over on time while nothing is listed
        Thread.sleep(3000);
        assertThat(established.say("two")).as("the established flow keeps its backend: the earlier tables stay").isEqualTo("echo two");
        assertThat(lb.flows(22000, 5)).as("new flows too, through the earlier run's table").containsOnly("be1");
        assertThat(second.log()).doesNotContain("health known after the restart");
        // no Service listed yet, but show vips has a row per frontend the datapath re-adopted: what is served
        for (String frontend : new String[] {fe, echoFe}) {
            com.fasterxml.jackson.databind.JsonNode held = lb.vip(frontend);
            assertThat(held.path("route").asText()).as(frontend + ": " + held).isEqualTo("held");
            assertThat(held.path("reason").asText()).startsWith("held: waiting for the first list of the Services")
                    .contains("the earlier run's tables serve it");
            assertThat(held.path("healthy").asText()).isEqualTo("1/1");
            assertThat(held.path("backends").get(0).path("backend").asText()).startsWith(lb.family.backend() + ":");
            assertThat(held.path("backends").get(0).path("health").asText()).isEqualTo("not probed");
            assertThat(held.path("backends").get(0).path("tableEntries").asInt()).as("the whole pinned table (one backend)")
                    .isEqualTo(held.path("tableSize").asInt());
        }
        String text = second.cli("show", "vips");
        System.out.println("L4lbKubeApiRestartTest: show vips before the first list:\n" + text);
        assertThat(text).contains("waiting for the first list of the Services").contains("the earlier run's tables serve");
        assertThat(text.lines().filter(l -> l.contains(fe) || l.contains(echoFe)).filter(l -> l.contains("held")).count())
                .as("a held line per frontend in the table:\n" + text).isEqualTo(2);
        assertThat(text).contains("re-adopted: weight and health unknown until the first list");

        // --- the API answers: its list arrives, health rises, this run's tables replace the earlier ones
        apiInLb(lb.lb, sock);
        lb.awaitVip(fe, v -> v.path("healthy").asText().equals("1/1") && !v.path("reason").asText().contains("earlier run"));
        lb.awaitVip(echoFe, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(second.log()).contains("health known after the restart");
        assertThat(established.say("three")).as("programmed only once health is known: the flow keeps its backend")
                .isEqualTo("echo three");
        assertThat(lb.flows(23000, 5)).containsOnly("be1");
    }

    /** The forwarder in the host's namespace: 127.0.0.1:6443 there to the Unix socket. */
    private Process apiInLb(NetworkNamespace ns, Path sock) throws Exception {
        Process p = bed.start(ns, "python3", "-c", FORWARD, "tcp", "127.0.0.1:" + API_PORT, "unix", sock.toString());
        awaitListening(p);
        return p;
    }

    private static void awaitListening(Process p) throws IOException {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("forwarder").isEqualTo("listening");
    }
}
