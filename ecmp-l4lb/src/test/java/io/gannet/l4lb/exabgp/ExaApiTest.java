package io.gannet.l4lb.exabgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.l4lb.model.VipPool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ExaBGP-style API: parsing, acks, bad input, the socket and a script written for ExaBGP. */
class ExaApiTest {
    final List<String> routes = Collections.synchronizedList(new ArrayList<>());
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final RouteSink sink = new RouteSink() {
        @Override
        public void announce(ExaCommand c) {
            routes.add("announce " + c.prefix() + " nh=" + (c.nextHop() == null ? "self" : c.nextHop()) + " med=" + c.med()
                    + " comm=" + c.communities());
        }

        @Override
        public void withdraw(String prefix) {
            routes.add("withdraw " + prefix);
        }
    };
    final ExaApi api = new ExaApi(sink, VipPool.of(List.of("203.0.113.0/24")), (a, s, d) -> events.add(s + ": " + d));

    final ExaApi dual = new ExaApi(sink, VipPool.of(List.of("203.0.113.0/24", "2001:db8:113::/64")),
            (a, s, d) -> events.add(s + ": " + d));

    @Test
    void ipv6RouteLinesInsideThePoolAreCarriedOut() throws Exception {
        ExaCommand c = ExaParser.parse("announce route 2001:DB8:113:0:0:0:0:10/128 next-hop 2001:db8:91::2 community [64512:200]");
        assertThat(c.prefix()).as("RFC 5952 text").isEqualTo("2001:db8:113::10/128");
        assertThat(c.nextHop()).isEqualTo("2001:db8:91::2");
        assertThat(ExaParser.parse("withdraw route 2001:db8:113::10").prefix()).as("an address alone is a /128")
                .isEqualTo("2001:db8:113::10/128");
        assertThatThrownBy(() -> ExaParser.parse("announce route 2001:db8:113::10/129 next-hop self")).hasMessageContaining("length");

        assertThat(dual.handle("announce route 2001:db8:113::10/128 next-hop self community [64512:200]", "t")).isEqualTo("done");
        assertThat(dual.handle("announce route 2001:db8:113::/64 next-hop self", "t")).as("the whole pool prefix").isEqualTo("done");
        assertThat(dual.handle("announce route 2001:db8:113::/63 next-hop self", "t")).as("wider than the pool").isEqualTo("error");
        assertThat(dual.handle("announce route 2001:db8:114::10/128 next-hop self", "t")).isEqualTo("error");
        assertThat(dual.handle("withdraw route 2001:db8:113::10/128", "t")).isEqualTo("done");
        assertThat(routes).containsExactly("announce 2001:db8:113::10/128 nh=self med=null comm=[64512:200]",
                "announce 2001:db8:113::/64 nh=self med=null comm=[]", "withdraw 2001:db8:113::10/128");
        assertThat(events).contains("t: refused 'announce route 2001:db8:114::10/128 next-hop self': 2001:db8:114::10/128 is outside"
                + " the profile's VIP pool 203.0.113.0/24, 2001:db8:113::/64");
        assertThat(api.handle("announce route 2001:db8:113::10/128 next-hop self", "t")).as("an IPv4-only pool").isEqualTo("error");
        assertThat(events).last().asString().contains("is outside the profile's VIP pool 203.0.113.0/24");
    }

    @TempDir
    Path dir;

    @Test
    void parsesExaBgpRouteLines() throws Exception {
        ExaCommand c = ExaParser.parse("announce route 203.0.113.10/32 next-hop self med 100 local-preference 200"
                + " origin igp community [65000:1 no-export] large-community 65000:1:2");
        assertThat(c.announce()).isTrue();
        assertThat(c.prefix()).isEqualTo("203.0.113.10/32");
        assertThat(c.nextHop()).isNull();
        assertThat(c.med()).isEqualTo(100L);
        assertThat(c.localPref()).isEqualTo(200L);
        assertThat(c.communities()).containsExactly("65000:1", "no-export");
        assertThat(c.largeCommunities()).containsExactly("65000:1:2");
        assertThat(ExaParser.parse("withdraw route 203.0.113.10 next-hop 10.0.0.1").prefix()).isEqualTo("203.0.113.10/32");
        assertThat(ExaParser.parse("announce route 203.0.113.10/32 next-hop 10.0.0.1").nextHop()).isEqualTo("10.0.0.1");
    }

    @Test
    void refusesWhatItCannotCarryOutWithAReason() {
        assertThatThrownBy(() -> ExaParser.parse("announce route 203.0.113.10/32")).hasMessageContaining("next-hop missing");
        assertThatThrownBy(() -> ExaParser.parse("announce flow route { }")).hasMessageContaining("only announce route");
        assertThatThrownBy(() -> ExaParser.parse("neighbor 10.0.0.1 announce route 1.2.3.4/32 next-hop self"))
                .hasMessageContaining("neighbor-scoped");
        assertThatThrownBy(() -> ExaParser.parse("announce route 203.0.113.10/32 next-hop self as-path [65000]"))
                .hasMessageContaining("'as-path' is not supported");
        assertThatThrownBy(() -> ExaParser.parse("announce route 203.0.113.10/33 next-hop self")).hasMessageContaining("length");
        assertThatThrownBy(() -> ExaParser.parse("announce route www.example.com next-hop self")).hasMessageContaining("not an IP");
        assertThatThrownBy(() -> ExaParser.parse("announce route 203.0.113.10/32 next-hop self community [65000:1")).hasMessageContaining("'['");
        assertThatThrownBy(() -> ExaParser.parse("announce route 203.0.113.10/32 next-hop self med")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ExaParser.parse("shutdown")).hasMessageContaining("unknown command");
    }

    @Test
    void acksDoneOrErrorAndChangesNothingOnError() {
        assertThat(api.handle("announce route 203.0.113.10/32 next-hop self", "t")).isEqualTo("done");
        assertThat(api.handle("announce route 198.51.100.1/32 next-hop self", "t")).isEqualTo("error");
        assertThat(api.handle("garbage !!", "t")).isEqualTo("error");
        assertThat(api.handle("", "t")).isEqualTo("error");
        assertThat(api.handle("withdraw route 203.0.113.10/32", "t")).isEqualTo("done");
        assertThat(routes).containsExactly("announce 203.0.113.10/32 nh=self med=null comm=[]", "withdraw 203.0.113.10/32");
        assertThat(events).anyMatch(e -> e.contains("refused 'announce route 198.51.100.1/32 next-hop self': 198.51.100.1/32 is outside the profile's VIP pool 203.0.113.0/24"));
        assertThat(api.errorCount()).isEqualTo(3);
    }

    @Test
    void socketKeepsTheConnectionAcrossBadLines() throws Exception {
        Path sock = dir.resolve("exabgp.sock");
        try (ExaSocketServer server = ExaSocketServer.start(sock, api);
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            OutputStream out = Channels.newOutputStream(c);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            out.write("announce route 203.0.113.10/32 next-hop self\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("done");
            out.write("\u00ff\u0001garbage\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(in.readLine()).isEqualTo("error");
            out.write(("announce route " + "9".repeat(5000) + "\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("error");
            out.write("frobnicate\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("error");
            // a half line followed by its rest is one line
            out.write("withdraw route 203.0".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(50);
            out.write(".113.10/32 next-hop self\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).as("the connection survived the bad lines").isEqualTo("done");
            assertThat(routes).containsExactly("announce 203.0.113.10/32 nh=self med=null comm=[]", "withdraw 203.0.113.10/32");
            // a half line cut off by close is never executed
            out.write("announce route 203.0.113.11/32 next-hop self".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            assertThat(in.readLine()).isEqualTo("error");
            assertThat(routes).hasSize(2);
        }
        assertThat(Files.exists(sock)).isFalse();
    }

    @Test
    void runsAScriptWrittenForExaBgpUnchanged() throws Exception {
        Path script = Path.of(getClass().getResource("/exabgp/healthcheck.sh").toURI());
        Path flag = dir.resolve("up");
        Files.createFile(flag);
        try (ExaProcess p = ExaProcess.start("web-check", List.of("sh", script.toString(), flag.toString(), "203.0.113.10/32"),
                api, (a, s, d) -> events.add(s + ": " + d))) {
            await(() -> routes.contains("announce 203.0.113.10/32 nh=self med=10 comm=[65000:100]"));
            Files.delete(flag);
            await(() -> routes.contains("withdraw 203.0.113.10/32"));
            await(() -> events.stream().anyMatch(e -> e.contains("stderr: ack for down: done")));
            assertThat(events).anyMatch(e -> e.contains("stderr: ack for up: done"));
        }
    }

    static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(end);
            Thread.sleep(20);
        }
    }

    @Test
    void aNewPoolWithdrawsWhatThisApiAnnouncedOutsideItAndJudgesLaterLinesByIt() {
        assertThat(api.handle("announce route 203.0.113.10/32 next-hop self", "t")).isEqualTo("done");
        assertThat(api.handle("announce route 203.0.113.11/32 next-hop self", "t")).isEqualTo("done");
        assertThat(api.handle("withdraw route 203.0.113.11/32", "t")).isEqualTo("done");
        routes.clear();

        assertThat(api.setPool(VipPool.of(List.of("198.51.100.0/24")))).containsExactly("203.0.113.10/32");
        assertThat(routes).as("only what is still announced, once").containsExactly("withdraw 203.0.113.10/32");
        assertThat(events).anyMatch(e -> e.equals("reload: withdraw 203.0.113.10/32: outside the profile's VIP pool 198.51.100.0/24"));
        assertThat(api.handle("announce route 203.0.113.12/32 next-hop self", "t")).isEqualTo("error");
        assertThat(api.handle("announce route 198.51.100.20/32 next-hop self", "t")).isEqualTo("done");
        assertThat(api.setPool(VipPool.of(List.of("198.51.100.0/24", "203.0.113.0/24")))).as("still inside").isEmpty();
        assertThat(routes).containsExactly("withdraw 203.0.113.10/32", "announce 198.51.100.20/32 nh=self med=null comm=[]");
    }
}
