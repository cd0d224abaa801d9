package io.gannet.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.agent.control.server.ControlServer;
import io.gannet.agent.control.server.ControlServerConfig;
import io.gannet.agent.control.server.JsonCodec;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real server on a temp Unix socket, driven with raw HTTP/1.1; every answer checked against openapi.yaml. */
class ControlServerTest {
    private RunningServer s;

    @BeforeEach
    void start() {
        s = new RunningServer(FixtureDaemon.standard());
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private RawHttp.Response get(String path) throws Exception {
        RawHttp.Response r = RawHttp.get(s.socket, path);
        OpenApiContract.assertConforms("GET", path.replaceAll("\\?.*", ""), r);
        return r;
    }

    private RawHttp.Response post(String path, String json) throws Exception {
        RawHttp.Response r = RawHttp.post(s.socket, path, json);
        OpenApiContract.assertConforms("POST", path, r);
        return r;
    }

    private static JsonNode json(RawHttp.Response r) throws Exception {
        assertThat(r.header("content-type")).startsWith("application/json");
        return JsonCodec.mapper().readTree(r.body());
    }

    @Test
    void socketFileIsOwnerAndGroupOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.socket))).isEqualTo("rw-rw----");
    }

    /** An unnumbered neighbor whose switch has not advertised yet: no address, and why (the contract allows null). */
    @Test
    void anUnnumberedNeighborWaitingForItsSwitchHasNoAddressYet() throws Exception {
        s.daemon.addPeer(new PeerStatus("leaf9", null, 65009, 65000, SessionState.IDLE, false, 0, 0, 0, 0, BfdState.NONE,
                "waiting for the switch's router advertisement on eth1", MessageCounts.ZERO, MessageCounts.ZERO, 0));
        JsonNode leaf = null;
        for (JsonNode p : json(get("/v1/peers")).path("peers")) {
            if (p.path("name").asText().equals("leaf9")) {
                leaf = p;
            }
        }
        assertThat(leaf).isNotNull();
        assertThat(leaf.path("address").isNull()).isTrue();
        assertThat(leaf.path("lastError").asText()).contains("router advertisement on eth1");
    }

    @Test
    void peersListsEverySessionWithItsCounters() throws Exception {
        RawHttp.Response r = get("/v1/peers");
        assertThat(r.status()).isEqualTo(200);
        JsonNode peers = json(r).path("peers");
        assertThat(peers).hasSize(2);
        JsonNode tor1 = peers.get(0);
        assertThat(tor1.path("name").asText()).isEqualTo("tor1");
        assertThat(tor1.path("address").asText()).isEqualTo("192.0.2.1");
        assertThat(tor1.path("state").asText()).isEqualTo("Established");
        assertThat(tor1.path("bfdState").asText()).isEqualTo("Up");
        assertThat(tor1.path("messagesIn").path("update").asLong()).isEqualTo(40);
        assertThat(peers.get(1).path("address").asText()).isEqualTo("2001:db8::2");
        assertThat(peers.get(1).path("lastError").asText()).isEqualTo("hold timer expired");
    }

    @Test
    void onePeerByNameAndUnknownPeerIs404() throws Exception {
        assertThat(json(get("/v1/peers/tor2")).path("state").asText()).isEqualTo("Idle");
        RawHttp.Response r = get("/v1/peers/nope");
        assertThat(r.status()).isEqualTo(404);
        assertThat(json(r).path("error").asText()).isEqualTo("unknown_peer");
        assertThat(json(r).path("message").asText()).isEqualTo("no peer named 'nope' (known: tor1, tor2)");
    }

    @Test
    void routesFilterByFamilyPrefixPeerAndLimit() throws Exception {
        assertThat(json(get("/v1/routes")).path("routes")).hasSize(4);
        assertThat(json(get("/v1/routes?family=ipv6")).path("routes")).hasSize(1);
        JsonNode exact = json(get("/v1/routes?prefix=10.1.0.0/24"));
        assertThat(exact.path("routes")).hasSize(2);
        assertThat(exact.path("routes").get(0).path("best").asBoolean()).isTrue();
        assertThat(exact.path("routes").get(0).path("communities").get(0).asText()).isEqualTo("65000:100");
        assertThat(json(get("/v1/routes?prefix=10.0.0.0/8&longer=true")).path("routes")).hasSize(3);
        assertThat(json(get("/v1/routes?peer=tor2")).path("routes")).hasSize(1);
        JsonNode limited = json(get("/v1/routes?limit=1"));
        assertThat(limited.path("routes")).hasSize(1);
        assertThat(limited.path("truncated").asBoolean()).isTrue();
    }

    @Test
    void routeDetailHasEveryCandidateAndTheReason() throws Exception {
        RawHttp.Response r = RawHttp.get(s.socket, "/v1/routes/10.1.0.0%2F24/detail");
        OpenApiContract.assertConforms("GET", "/v1/routes/10.1.0.0/detail", r);
        JsonNode d = json(r);
        assertThat(d.path("bestReason").asText()).isEqualTo("highest LOCAL_PREF (200)");
        assertThat(d.path("paths")).hasSize(2);
        assertThat(d.path("paths").get(1).path("notBestReason").asText()).contains("LOCAL_PREF");
        // An unencoded slash works as well: the prefix is everything between /v1/routes/ and /detail.
        assertThat(RawHttp.get(s.socket, "/v1/routes/10.1.0.0/24/detail").status()).isEqualTo(200);
    }

    @Test
    void routeDetailOfAnUnknownOrMalformedPrefixIsAClearError() throws Exception {
        RawHttp.Response unknown = RawHttp.get(s.socket, "/v1/routes/10.9.0.0%2F24/detail");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(json(unknown).path("error").asText()).isEqualTo("unknown_prefix");
        RawHttp.Response bad = RawHttp.get(s.socket, "/v1/routes/10.1.0.1%2F24/detail");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(json(bad).path("message").asText())
                .isEqualTo("prefix 10.1.0.1/24 has host bits set (the network is 10.1.0.0/24)");
        RawHttp.Response junk = RawHttp.get(s.socket, "/v1/routes/example.com%2F24/detail");
        assertThat(json(junk).path("message").asText()).isEqualTo("prefix address 'example.com' is not an IPv4 or IPv6 address");
    }

    @Test
    void bfdAndOptionalSections() throws Exception {
        JsonNode bfd = json(get("/v1/bfd"));
        assertThat(bfd.path("sessions").get(0).path("clients").get(0).asText()).isEqualTo("tor1");
        assertThat(bfd.path("sessions").get(0).path("multihop").asBoolean(true)).isFalse();
        for (String section : new String[] {"vips", "services", "policy", "nat", "ipam"}) {
            RawHttp.Response r = get("/v1/" + section);
            assertThat(r.status()).isEqualTo(501);
            assertThat(json(r).path("message").asText()).isEqualTo(section + ": not available in this build");
        }
        s.daemon.makeVipsAvailable();
        JsonNode vips = json(get("/v1/vips"));
        assertThat(vips.path("vips").get(0).path("vip").asText()).isEqualTo("192.0.2.80/32");
    }

    @Test
    void peerCommandsCarryTheShutdownCommunication() throws Exception {
        RawHttp.Response r = post("/v1/peers/tor1/disable", "{\"message\":\"maintenance until 16:00\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).path("changed").asBoolean()).isTrue();
        assertThat(s.daemon.executed()).containsExactly("disable tor1 maintenance until 16:00");
        assertThat(json(post("/v1/peers/tor1/disable", "{}")).path("changed").asBoolean()).isFalse();
        assertThat(json(get("/v1/peers/tor1")).path("adminDisabled").asBoolean()).isTrue();
        assertThat(post("/v1/peers/tor1/enable", "").status()).isEqualTo(200);
        assertThat(post("/v1/peers/tor2/reset", "{\"message\":null}").status()).isEqualTo(200);
        assertThat(s.daemon.executed()).containsExactly("disable tor1 maintenance until 16:00", "enable tor1", "reset tor2 null");
    }

    @Test
    void announceWithdrawAndReload() throws Exception {
        RawHttp.Response a = post("/v1/announce", "{\"prefix\":\"192.0.2.80/32\",\"communities\":[\"65000:80\",\"no-export\"],"
                + "\"largeCommunities\":[\"65000:0:80\"],\"med\":10,\"localPref\":200,\"nextHop\":\"192.0.2.100\"}");
        assertThat(a.status()).isEqualTo(200);
        JsonNode routes = json(get("/v1/routes?prefix=192.0.2.80/32")).path("routes");
        assertThat(routes).hasSize(1);
        assertThat(routes.get(0).path("communities").toString()).isEqualTo("[\"65000:80\",\"no-export\"]");
        assertThat(routes.get(0).path("fromPeer").isNull()).isTrue();
        assertThat(post("/v1/withdraw", "{\"prefix\":\"192.0.2.80/32\"}").status()).isEqualTo(200);
        RawHttp.Response again = post("/v1/withdraw", "{\"prefix\":\"192.0.2.80/32\"}");
        assertThat(again.status()).isEqualTo(404);
        JsonNode reload = json(post("/v1/reload", ""));
        assertThat(reload.path("parts").get(1).path("outcome").asText()).isEqualTo("restart required");
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() throws Exception {
        String before = s.daemon.fingerprint();
        String[][] cases = {
            // path, body, expected status, expected message
            {"/v1/announce", "{\"prefix\":", "400", "malformed JSON"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"colour\":\"red\"}", "400",
                "unknown field 'colour' (allowed: communities, force, largeCommunities, localPref, med, nextHop, origin, persist, prefix)"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"med\":\"ten\"}", "400", "field 'med': expected an integer"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"med\":1.5}", "400", "field 'med': expected an integer"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"med\":4294967296}", "400", "med 4294967296 is out of range 0..4294967295"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/33\"}", "400", "prefix length 33 is out of range 0..32"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"communities\":[\"65536:1\"]}", "400",
                "community '65536:1' ASN: 65536 is larger than 65535"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"largeCommunities\":[\"1:2\"]}", "400",
                "large community '1:2' is not GLOBAL:LOCAL1:LOCAL2 (RFC 8092)"},
            {"/v1/announce", "{\"prefix\":\"2001:db8::/32\",\"nextHop\":\"192.0.2.1\"}", "400",
                "an IPv4 next hop cannot carry IPv6 prefix 2001:db8::/32"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"nextHop\":\"router.example\"}", "400",
                "nextHop 'router.example' is not an IPv4 or IPv6 address"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\",\"prefix\":\"10.0.0.0/9\"}", "400", "malformed JSON: Duplicate field 'prefix'"},
            {"/v1/announce", "{\"prefix\":\"10.0.0.0/8\"} {}", "400", "malformed JSON"},
            {"/v1/announce", "[]", "400", "request body must be a JSON object"},
            {"/v1/announce", "null", "400", "request body is null; expected a JSON object"},
            {"/v1/announce", "", "400", "request body is empty; expected a JSON object"},
            {"/v1/announce", "{}", "400", "field 'prefix' is required"},
            {"/v1/withdraw", "{\"prefix\":\"10.9.9.0/24\"}", "404", "10.9.9.0/24 is not originated by this daemon"},
            {"/v1/peers/ghost/disable", "{}", "404", "no peer named 'ghost' (known: tor1, tor2)"},
            {"/v1/peers/tor1/disable", "{\"message\":\"" + "x".repeat(256) + "\"}", "400",
                "message is 256 octets of UTF-8; RFC 9003 allows at most 255"},
            {"/v1/peers/tor1/enable", "{\"force\":true}", "400", "unknown field 'force'"},
            {"/v1/peers/tor1/explode", "{}", "404", "no endpoint /v1/peers/tor1/explode"},
            {"/v1/reload?now=1", "", "400", "unknown query parameter 'now' (this endpoint takes none)"},
            {"/v1/endpoints/add", "{\"name\":\"vm\",\"cidr\":\"192.0.2.1\"}", "400", "unknown field 'cidr'"},
            {"/v1/endpoints/add", "{\"cidrs\":[\"192.0.2.1\"],\"labels\":{\"app\":\"x\"}}", "400", "request body needs 'name'"},
            {"/v1/endpoints/add", "{\"name\":\"vm\",\"cidrs\":[\"192.0.2.1\"],\"labels\":{\"app\":\"x\"}}", "501",
                "endpoints: not available"},
            {"/v1/endpoints/remove", "{\"name\":\"vm\"}", "501", "endpoints: not available"},
        };
        for (String[] c : cases) {
            RawHttp.Response r = RawHttp.post(s.socket, c[0], c[1]);
            assertThat(r.status()).as("%s %s", c[0], c[1]).isEqualTo(Integer.parseInt(c[2]));
            assertThat(json(r).path("message").asText()).as("%s %s", c[0], c[1]).startsWith(c[3]);
            if (!c[0].endsWith("/explode")) { // a path the spec does not have cannot be checked against it
                OpenApiContract.assertConforms("POST", c[0].replaceAll("\\?.*", ""), r);
            }
        }
        assertThat(s.daemon.fingerprint()).isEqualTo(before);
    }

    @Test
    void badQueriesMethodsAndPaths() throws Exception {
        String before = s.daemon.fingerprint();
        assertThat(json(get("/v1/routes?family=ipx")).path("message").asText()).isEqualTo("family 'ipx' is not one of ipv4, ipv6");
        assertThat(json(get("/v1/routes?peer=ghost")).path("error").asText()).isEqualTo("unknown_peer");
        assertThat(json(get("/v1/routes?limit=0")).path("message").asText()).isEqualTo("limit 0 is out of range 1..1000000");
        assertThat(json(get("/v1/routes?limit=-5")).path("message").asText()).startsWith("limit must be a number");
        assertThat(json(get("/v1/routes?color=red")).path("message").asText())
                .isEqualTo("unknown query parameter 'color' (allowed: advertised, family, for, limit, longer, peer, prefix, received, rejected)");
        assertThat(json(get("/v1/routes?peer=a&peer=b")).path("message").asText()).isEqualTo("query parameter 'peer' given more than once");
        assertThat(json(get("/v1/routes?family=ipv4&prefix=2001:db8::/32")).path("message").asText())
                .isEqualTo("prefix 2001:db8::/32 is not in family ipv4");
        RawHttp.Response wrongMethod = RawHttp.request(s.socket, "DELETE", "/v1/peers");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("allow")).isEqualTo("GET");
        assertThat(json(wrongMethod).path("message").asText()).isEqualTo("DELETE is not allowed here; use GET");
        RawHttp.Response postOnGet = RawHttp.post(s.socket, "/v1/peers", "{}");
        assertThat(postOnGet.status()).isEqualTo(405);
        RawHttp.Response getOnPost = RawHttp.get(s.socket, "/v1/reload");
        assertThat(getOnPost.status()).isEqualTo(405);
        assertThat(getOnPost.header("allow")).isEqualTo("POST");
        assertThat(RawHttp.get(s.socket, "/v2/peers").status()).isEqualTo(404);
        assertThat(json(RawHttp.get(s.socket, "/v1/routes/%zz/detail")).path("message").asText()).startsWith("malformed request target");
        RawHttp.Response textBody = RawHttp.exchange(s.socket, "POST /v1/reload HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(textBody.status()).isEqualTo(415);
        assertThat(s.daemon.fingerprint()).isEqualTo(before);
    }

    @Test
    void garbageAndOversizedRequestsAreRejectedAndTheServerKeepsServing() throws Exception {
        RawHttp.Response garbage = RawHttp.exchange(s.socket, "\u0001\u0002 NOT HTTP\r\n\r\n");
        assertThat(garbage.status()).isEqualTo(400);
        String big = "{\"prefix\":\"" + "1".repeat(ControlServer.MAX_BODY_BYTES) + "\"}";
        RawHttp.Response tooBig = RawHttp.post(s.socket, "/v1/announce", big);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(json(tooBig).path("error").asText()).isEqualTo("payload_too_large");
        assertThat(get("/v1/peers").status()).isEqualTo(200);
        assertThat(s.daemon.executed()).isEmpty();
    }

    @Test
    void randomGarbageAndStalledClientsNeverBlockOtherClients() throws Exception {
        java.util.List<java.nio.channels.SocketChannel> stalled = new java.util.ArrayList<>();
        try {
            // Clients that stop mid-request hold only their own connection (until the idle timeout).
            for (int i = 0; i < 20; i++) {
                var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                ch.connect(java.net.UnixDomainSocketAddress.of(s.socket));
                ch.write(java.nio.ByteBuffer.wrap("GET /v1/pe".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                stalled.add(ch);
            }
            java.util.Random rnd = new java.util.Random(4);
            for (int i = 0; i < 50; i++) {
                byte[] junk = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(junk);
                try {
                    RawHttp.sendHalfClosedAndReadAll(s.socket, junk);
                } catch (java.io.IOException e) {
                    // a reset connection is a fine answer to garbage
                }
            }
            long start = System.nanoTime();
            assertThat(get("/v1/peers").status()).isEqualTo(200);
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
        } finally {
            for (var ch : stalled) {
                ch.close();
            }
        }
        assertThat(s.daemon.executed()).isEmpty();
    }

    @Test
    void manyPipelinedRequestsInOneWriteAreAnsweredOneByOneInOrder() throws Exception {
        StringBuilder raw = new StringBuilder();
        java.util.List<Integer> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean known = i % 3 != 1;
            raw.append("GET /v1/peers/").append(known ? "tor1" : "ghost" + i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
            expected.add(known ? 200 : 404);
        }
        raw.append("GET /v1/bfd HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        expected.add(200);
        RawHttp.Response[] rs = RawHttp.parseAll(RawHttp.sendAndReadAll(s.socket, raw.toString().getBytes(StandardCharsets.US_ASCII)));
        assertThat(rs).extracting(RawHttp.Response::status).containsExactlyElementsOf(expected);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String one = "GET /v1/peers/tor1 HTTP/1.1\r\nHost: t\r\n\r\n";
        String two = "GET /v1/peers/ghost HTTP/1.1\r\nHost: t\r\n\r\n";
        String three = "GET /v1/bfd HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        RawHttp.Response[] rs = RawHttp.parseAll(RawHttp.sendAndReadAll(s.socket,
                (one + two + three).getBytes(StandardCharsets.US_ASCII)));
        assertThat(rs).extracting(RawHttp.Response::status).containsExactly(200, 404, 200);
        assertThat(rs[0].body()).contains("\"tor1\"");
        assertThat(rs[2].body()).contains("\"sessions\"");
    }

    @Test
    void servesItsOwnOpenApiDocument() throws Exception {
        RawHttp.Response r = RawHttp.get(s.socket, "/v1/openapi.yaml");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(OpenApiContract.spec());
    }

    @Test
    void refusesASocketALiveDaemonServesAndReplacesAStaleOne() throws Exception {
        ControlServerConfig same = ControlServerConfig.defaults().withUnixSocket(s.socket);
        assertThatThrownBy(() -> ControlServer.start(same, s.daemon, s.daemon, s.metrics))
                .hasMessageContaining("another gannet daemon is listening on " + s.socket);
        assertThat(RawHttp.get(s.socket, "/v1/peers").status()).isEqualTo(200);

        java.nio.file.Path stale = s.dir.resolve("stale.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        try (ControlServer second = ControlServer.start(ControlServerConfig.defaults().withUnixSocket(stale),
                s.daemon, s.daemon, s.metrics)) {
            assertThat(RawHttp.get(stale, "/v1/peers").status()).isEqualTo(200);
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void controlTcpMustBeLoopback() {
        assertThatThrownBy(() -> ControlServerConfig.defaults().withControlTcp(new java.net.InetSocketAddress("0.0.0.0", 18210)))
                .hasMessageContaining("loopback");
    }
}
