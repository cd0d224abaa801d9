package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.lb.Backend;
import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An L4LB host as a user runs it ({@code gannet run} with role l4lb and {@code --services-dir},
 * peered with a real FRR leaf rendered from the same profile), for what its Service files and its
 * profile change under it:
 * <ul>
 *   <li>an endpoint flipped to {@code ready: false} in the EndpointSlice file stays configured:
 *       {@code show vips --json} shows it "not ready" with no entries, and the VIP's table is the
 *       one a failed health check gives (only its entries moved), not the Maglev rebuild of a
 *       removal; with none ready a terminating endpoint that still serves takes the flows; with
 *       none serving the VIP is withdrawn at the switch ("no ready backend");</li>
 *   <li>an endpoint that is not ready is not probed (an exec check that logs each probe), shown
 *       "not probed"; ready again, it is probed again and starts down: it takes flows only after
 *       the check's rise count of successes;</li>
 *   <li>{@code gannet reload} after the profile's VIP pool, the host's VIPs and the VIP
 *       communities changed: the VIP that entered the pool is announced with the new
 *       communities, the one that left it is withdrawn and its Service refused as outside the
 *       pool; the ExaBGP API withdraws its own route that left the pool and judges later lines
 *       by the new one; a broken profile changes nothing and names its file:line:column.</li>
 * </ul>
 * No traffic flows (the backends do not exist; {@code gannet.io/health-check: none}):
 * L4lbEcmpTest and L4lbIpv6Test send flows.
 */
class L4lbReadinessReloadTest extends DaemonAgainstFrr {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LB = "10.203.0.1";
    private static final int M = 4099;
    /** Namespace names of this run only: other runs of this test may share the machine. */
    private static final String NS = "lr" + ProcessHandle.current().pid() % 10000;

    private final List<Path> pins = new ArrayList<>();
    private Path bpffs;
    /** {@link #start} runs etcd in the L4LB host's namespace and the daemon with {@code --etcd}. */
    private boolean withEtcd;
    private io.gannet.testsupport.EtcdServer etcd;
    private List<String> runArgs;

    /** The daemon first (it holds the datapath), then its pins and the bpffs of the test. */
    @AfterEach
    void removePins() {
        if (gannet != null) {
            gannet.close();
            gannet = null;
        }
        if (etcd != null) {
            etcd.close();
        }
        for (Path p : pins) {
            Datapath.removePins(p);
        }
        if (bpffs != null) {
            NetworkNamespace.Shell.runQuietly("umount", bpffs.toString());
        }
    }

    private static String profile(String pool, String vip, String community) {
        return """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: l4lb-ready}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  vipPool: [%s]
                  maglev: {tableSize: %d}
                  bgp: {holdTime: 60, connectRetry: 1}
                  bfd: {enabled: false}
                  communities: {vip: ["%s"]}
                  inventory:
                    switches:
                      - {name: leaf1, addresses: [10.203.0.2], asn: 4200100001}
                    hosts:
                      - {name: lb1, address: %s, role: l4lb, vips: [%s]}
                """.formatted(pool, M, community, LB, vip);
    }

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: %1$s
              namespace: shop
              annotations:
                gannet.io/health-check: none
                gannet.io/health-check-interval: 200ms
                gannet.io/health-check-rise: "1"
            spec:
              type: LoadBalancer
              externalIPs: [%2$s]
              ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: %1$s-1, namespace: shop, labels: {kubernetes.io/service-name: %1$s}}
            addressType: IPv4
            ports: [{name: http, protocol: TCP, port: 8080}]
            endpoints:
            """;

    /** An endpoint of the slice with its conditions ("" for none: ready). */
    private static String endpoint(String addr, String conditions) {
        return "- addresses: [\"" + addr + "\"]\n" + (conditions.isEmpty() ? "" : "  conditions: " + conditions + "\n");
    }

    private static String web(String... conditions) {
        StringBuilder b = new StringBuilder(SERVICE.formatted("web", "203.0.113.10"));
        for (int i = 0; i < conditions.length; i++) {
            b.append(endpoint("10.203.1." + (21 + i), conditions[i]));
        }
        return b.toString();
    }

    /** The fabric (one FRR leaf rendered from {@code switchProfile}) and the L4LB host on {@code profile}. */
    private FrrSwitch start(String switchProfile, String profile, Map<String, String> services, String... moreRunArgs)
            throws Exception {
        Requirements.requireBpf();
        Requirements.requireCommand("nft");
        Path file = dir.resolve("profile.yaml");
        Files.writeString(file, switchProfile);
        fabric = new Fabric(NS, dir, LB + "/24");
        FrrSwitch leaf = fabric.addSwitch("leaf1", "10.203.0.2/24", GannetProcess.render(file, "leaf1"), Fabric.TEST_NETS.get(0));
        Files.writeString(file, profile);
        Path servicesDir = Files.createDirectories(dir.resolve("services"));
        for (Map.Entry<String, String> e : services.entrySet()) {
            Files.writeString(servicesDir.resolve(e.getKey()), e.getValue());
        }
        // "ip netns exec" mounts a fresh /sys, hiding /sys/fs/bpf: the host pins under a bpffs of the test's own.
        bpffs = Files.createDirectories(dir.resolve("bpffs"));
        NetworkNamespace.Shell.run("mount", "-t", "bpf", "bpf", bpffs.toString());
        Path pin = bpffs.resolve("lb1");
        pins.add(pin);
        List<String> args = new ArrayList<>(List.of("--services-dir", servicesDir.toString(), "--host-device", "br0",
                "--bpf-pin-root", pin.toString()));
        args.addAll(List.of(moreRunArgs));
        if (withEtcd) {
            etcd = io.gannet.testsupport.EtcdServer.startIn(fabric.node().name());
            args.addAll(List.of("--etcd", etcd.url()));
        }
        runArgs = args;
        gannet = GannetProcess.start(fabric.node(), dir, file, "lb1", args.toArray(String[]::new));
        gannet.awaitTrue("leaf1 Established", () -> gannet.established("leaf1"), fabric::diagnostics);
        return leaf;
    }

    @Test
    void anEndpointThatIsNotReadyStaysConfiguredAndMovesOnlyItsOwnEntries() throws Exception {
        FrrSwitch leaf = start(profile("203.0.113.0/24", "203.0.113.10", "65000:10"),
                profile("203.0.113.0/24", "203.0.113.10", "65000:10"), Map.of("web.yaml", web("", "", "", "")));
        Path file = dir.resolve("services").resolve("web.yaml");
        String fe = "203.0.113.10:80/TCP";
        awaitVip(fe, v -> v.path("healthy").asText().equals("4/4") && v.path("route").asText().equals("announced"));
        awaitRoute(leaf, "203.0.113.10/32", true);
        List<WeightedBackend> configured = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            configured.add(new WeightedBackend(Backend.of("10.203.1." + (21 + i), 8080), 1));
        }
        Set<Backend> all = Set.of(configured.get(0).backend(), configured.get(1).backend(), configured.get(2).backend(),
                configured.get(3).backend());
        assertThat(vip(fe).path("fingerprint").asText()).isEqualTo(VipTable.build(configured, all, M).fingerprint());
        Map<String, Integer> before = entries(vip(fe));

        // --- .22's readiness probe fails: the user's EndpointSlice says ready: false
        Files.writeString(file, web("", "{ready: false}", "", ""));
        awaitVip(fe, v -> v.path("healthy").asText().equals("3/4"));
        JsonNode v = vip(fe);
        JsonNode b22 = backend(v, "10.203.1.22:8080");
        assertThat(b22.path("state").asText()).isEqualTo("not ready");
        assertThat(b22.path("health").asText()).as("it takes no flows: not probed").isEqualTo("not probed");
        assertThat(b22.path("serving").asBoolean()).isFalse();
        assertThat(b22.path("tableEntries").asInt()).isZero();
        assertThat(v.path("route").asText()).isEqualTo("announced");
        Set<Backend> threeUp = Set.of(configured.get(0).backend(), configured.get(2).backend(), configured.get(3).backend());
        assertThat(v.path("fingerprint").asText()).as("the table a failed health check gives: only .22's entries moved")
                .isEqualTo(VipTable.build(configured, threeUp, M).fingerprint())
                .isNotEqualTo(VipTable.build(List.of(configured.get(0), configured.get(2), configured.get(3)), threeUp, M).fingerprint());
        Map<String, Integer> after = entries(v);
        int gained = 0;
        for (String b : List.of("10.203.1.21:8080", "10.203.1.23:8080", "10.203.1.24:8080")) {
            assertThat(after.get(b)).as(b + " keeps every entry it had").isGreaterThanOrEqualTo(before.get(b));
            gained += after.get(b) - before.get(b);
        }
        assertThat(gained).as("the others gained exactly .22's entries").isEqualTo(before.get("10.203.1.22:8080"));
        assertThat(gannet.cli("show", "vips")).contains("not ready");

        // --- a rolling update: none ready, .21 terminating but still serving takes the new flows
        String terminating = "{ready: false, serving: true, terminating: true}";
        Files.writeString(file, web(terminating, "{ready: false}", "{ready: false, serving: false, terminating: true}",
                "{ready: false}"));
        awaitVip(fe, x -> x.path("healthy").asText().equals("1/4"));
        v = vip(fe);
        assertThat(backend(v, "10.203.1.21:8080").path("state").asText()).isEqualTo("terminating, serving: no ready endpoint is up");
        assertThat(backend(v, "10.203.1.21:8080").path("tableEntries").asInt()).isEqualTo(M);
        assertThat(backend(v, "10.203.1.23:8080").path("state").asText()).isEqualTo("terminating");
        assertThat(v.path("route").asText()).isEqualTo("announced");
        assertThat(leaf.routesFrom(LB)).containsKey("203.0.113.10/32");

        // --- nothing serves: the VIP is withdrawn at the switch, and show vips says why
        Files.writeString(file, web("{ready: false}", "{ready: false}", "{ready: false}", "{ready: false}"));
        awaitVip(fe, x -> x.path("route").asText().equals("withdrawn"));
        assertThat(vip(fe).path("reason").asText()).isEqualTo("no ready backend");
        awaitRoute(leaf, "203.0.113.10/32", false);

        // --- ready again: the same table as at the start, announced again
        Files.writeString(file, web("", "", "", ""));
        awaitVip(fe, x -> x.path("route").asText().equals("announced"));
        assertThat(vip(fe).path("fingerprint").asText()).isEqualTo(VipTable.build(configured, all, M).fingerprint());
        awaitRoute(leaf, "203.0.113.10/32", true);
    }

    /**
     * Issue 15's removal target as a user runs it: with {@code --etcd} the VIP's Maglev slots are
     * agreed in etcd, so a backend removed from the EndpointSlice moves only its own entries, a
     * rolling update's new pod takes exactly the old pod's entries, and a host that starts later
     * with nothing of its own (fresh state directory and pins) reads the plan and builds the same
     * table. Plain Maglev (no {@code --etcd}) would have rebuilt: another fingerprint.
     */
    @Test
    void withEtcdABackendLeavingTheServiceMovesOnlyItsOwnEntriesAndALaterHostBuildsTheSameTable() throws Exception {
        withEtcd = true;
        String[] twelve = new String[12];
        java.util.Arrays.fill(twelve, "");
        String p = profile("203.0.113.0/24", "203.0.113.10", "65000:10");
        start(p, p, Map.of("web.yaml", web(twelve)));
        Path file = dir.resolve("services").resolve("web.yaml");
        String fe = "203.0.113.10:80/TCP";
        awaitVip(fe, v -> v.path("healthy").asText().equals("12/12") && v.path("route").asText().equals("announced"));
        List<WeightedBackend> configured = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            configured.add(new WeightedBackend(Backend.of("10.203.1." + (21 + i), 8080), 1));
        }
        JsonNode v = vip(fe);
        assertThat(v.path("fingerprint").asText()).as("a fresh plan is plain Maglev")
                .isEqualTo(VipTable.build(configured, Set.copyOf(configured.stream().map(WeightedBackend::backend).toList()), M).fingerprint());
        assertThat(v.path("slots").asText()).isEqualTo("12 slots, 0 empty, agreed among the LB hosts in etcd:" + etcd.url());
        Map<String, Integer> before = entries(v);

        // --- .23 is removed from the EndpointSlice (scaled down): only its entries move
        StringBuilder slice = new StringBuilder(SERVICE.formatted("web", "203.0.113.10"));
        for (int i = 0; i < 12; i++) {
            if (i != 2) {
                slice.append(endpoint("10.203.1." + (21 + i), ""));
            }
        }
        Files.writeString(file, slice.toString());
        awaitVip(fe, x -> x.path("healthy").asText().equals("11/11"));
        v = vip(fe);
        assertThat(v.path("slots").asText()).startsWith("12 slots, 1 empty, agreed");
        Map<String, Integer> after = entries(v);
        int gained = 0;
        for (Map.Entry<String, Integer> e : after.entrySet()) {
            assertThat(e.getValue()).as(e.getKey() + " keeps every entry it had").isGreaterThanOrEqualTo(before.get(e.getKey()));
            gained += e.getValue() - before.get(e.getKey());
        }
        assertThat(gained).isEqualTo(before.get("10.203.1.23:8080"));
        List<WeightedBackend> rest = new ArrayList<>(configured);
        rest.remove(2);
        Set<Backend> restUp = Set.copyOf(rest.stream().map(WeightedBackend::backend).toList());
        io.gannet.l4lb.maglev.SlotPlan plan = io.gannet.l4lb.maglev.SlotPlan.fresh(configured).next(rest, M);
        String agreed = VipTable.build(rest, plan, restUp, M).fingerprint();
        assertThat(v.path("fingerprint").asText()).isEqualTo(agreed)
                .as("plain Maglev over the eleven").isNotEqualTo(VipTable.build(rest, restUp, M).fingerprint());
        gannet.awaitTrue("the plan agreed in etcd, logged", () -> gannet.log().contains("Maglev slots agreed in etcd:"
                + etcd.url() + ": 1 slot(s) left empty by backends that left (12 slots, 1 empty)"), () -> gannet.log());

        // --- a rolling update's new pod, .40: it takes .23's entries, nothing else moves
        Files.writeString(file, slice + endpoint("10.203.1.40", ""));
        awaitVip(fe, x -> x.path("healthy").asText().equals("12/12"));
        v = vip(fe);
        Map<String, Integer> replaced = entries(v);
        assertThat(replaced.get("10.203.1.40:8080")).isEqualTo(before.get("10.203.1.23:8080"));
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            if (!e.getKey().equals("10.203.1.23:8080")) {
                assertThat(replaced.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
        assertThat(v.path("slots").asText()).startsWith("12 slots, 0 empty, agreed");
        String fingerprint = v.path("fingerprint").asText();

        // --- another host, or this one with nothing of its own: fresh state directory and pins
        gannet.close();
        gannet = null;
        for (Path pin : pins) {
            Datapath.removePins(pin);
        }
        Path fresh = Files.createDirectories(dir.resolve("fresh-host"));
        gannet = GannetProcess.start(fabric.node(), fresh, dir.resolve("profile.yaml"), "lb1", runArgs.toArray(String[]::new));
        gannet.awaitTrue("leaf1 Established", () -> gannet.established("leaf1"), fabric::diagnostics);
        awaitVip(fe, x -> x.path("healthy").asText().equals("12/12") && x.path("route").asText().equals("announced"));
        assertThat(vip(fe).path("fingerprint").asText()).as("the plan read from etcd: the same table").isEqualTo(fingerprint);
        assertThat(gannet.cli("show", "vips")).contains("(12 slots, 0 empty, agreed among the LB hosts in etcd:");
    }

    @Test
    void anEndpointThatIsNotReadyIsNotProbedAndTakesFlowsOnlyAfterRisingWhenReadyAgain() throws Exception {
        // the check: a script that logs the backend it probes and passes
        Path probes = dir.resolve("probes.log");
        Path script = dir.resolve("check.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$GANNET_BACKEND_ADDR\" >> " + probes + "\nexit 0\n");
        script.toFile().setExecutable(true);
        String exec = """
                    gannet.io/health-check: exec
                    gannet.io/health-check-command: %s
                    gannet.io/health-check-interval: 1500ms
                    gannet.io/health-check-rise: "3"
                """.formatted(script);
        String base = SERVICE.formatted("web", "203.0.113.10").replaceFirst(
                "(?s)    gannet.io/health-check: none\n.*?health-check-rise: \"1\"\n", java.util.regex.Matcher.quoteReplacement(exec));
        assertThat(base).contains("health-check: exec").doesNotContain("health-check: none");
        String ready = base + endpoint("10.203.1.21", "") + endpoint("10.203.1.22", "");
        String notReady = base + endpoint("10.203.1.21", "") + endpoint("10.203.1.22", "{ready: false}");
        start(profile("203.0.113.0/24", "203.0.113.10", "65000:10"), profile("203.0.113.0/24", "203.0.113.10", "65000:10"),
                Map.of("web.yaml", ready));
        Path file = dir.resolve("services").resolve("web.yaml");
        String fe = "203.0.113.10:80/TCP";
        awaitVip(fe, v -> v.path("healthy").asText().equals("2/2") && v.path("route").asText().equals("announced"));

        // --- .22 is not ready: no longer probed, and show vips says so instead of its last result
        Files.writeString(file, notReady);
        awaitVip(fe, v -> backend(v, "10.203.1.22:8080").path("health").asText().equals("not probed"));
        JsonNode b22 = backend(vip(fe), "10.203.1.22:8080");
        assertThat(b22.path("state").asText()).isEqualTo("not ready");
        assertThat(b22.path("serving").asBoolean()).isFalse();
        assertThat(b22.path("lastResult").asText()).isEqualTo("not probed: not ready (probing starts when it is ready)");
        assertThat(gannet.cli("show", "vips")).contains("not probed");
        long stopped = probesOf(probes, "10.203.1.22");
        long other = probesOf(probes, "10.203.1.21");
        Thread.sleep(4000);
        assertThat(probesOf(probes, "10.203.1.22")).as("no probe of the endpoint that is not ready in 2.7 intervals"
                + " (one may have been under way)").isLessThanOrEqualTo(stopped + 1);
        assertThat(probesOf(probes, "10.203.1.21")).as("the ready one is still probed").isGreaterThanOrEqualTo(other + 2);

        // --- ready again: probed again, down until 3 probes in a row passed (rise), then it takes flows
        long before = probesOf(probes, "10.203.1.22");
        Files.writeString(file, ready);
        awaitVip(fe, v -> backend(v, "10.203.1.22:8080").path("state").asText().equals("ready"));
        JsonNode back = backend(vip(fe), "10.203.1.22:8080");
        assertThat(back.path("health").asText()).as("it starts down: " + back).isEqualTo("down");
        assertThat(back.path("serving").asBoolean()).isFalse();
        assertThat(back.path("tableEntries").asInt()).isZero();
        awaitVip(fe, v -> backend(v, "10.203.1.22:8080").path("serving").asBoolean());
        assertThat(probesOf(probes, "10.203.1.22") - before).as("it took flows only after rise = 3 probes").isGreaterThanOrEqualTo(3);
        assertThat(vip(fe).path("healthy").asText()).isEqualTo("2/2");
    }

    /** Probes of {@code addr} the check script logged. */
    private static long probesOf(Path log, String addr) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(addr::equals).count() : 0;
    }

    @Test
    void reloadTakesTheNewVipPoolAnnouncingWhatEnteredAndWithdrawingWhatLeft() throws Exception {
        String v1 = profile("203.0.113.0/24", "203.0.113.10", "65000:10");
        String v2 = profile("198.51.100.0/24", "198.51.100.20", "65000:20");
        // The leaf is rendered from a profile whose pool has both, so it accepts either VIP.
        Path sock = dir.resolve("exabgp.sock");
        FrrSwitch leaf = start(profile("203.0.113.0/24, 198.51.100.0/24", "203.0.113.10", "65000:10"), v1, Map.of(
                "web.yaml", web("", ""),
                "api.yaml", SERVICE.formatted("api", "198.51.100.20") + endpoint("10.203.1.31", "")),
                "--exabgp-socket", sock.toString());
        awaitVip("203.0.113.10:80/TCP", v -> v.path("route").asText().equals("announced"));
        awaitRoute(leaf, "203.0.113.10/32", true);
        assertThat(leaf.communities("203.0.113.10/32")).containsExactly("65000:10");
        assertThat(refused()).contains("VIP 198.51.100.20 is outside the profile's VIP pool 203.0.113.0/24");
        assertThat(leaf.routesFrom(LB)).doesNotContainKey("198.51.100.20/32");
        // a health-check script announces a route of the pool through the ExaBGP API
        assertThat(exabgp(sock, "announce route 203.0.113.40/32 next-hop self")).isEqualTo("done");
        awaitRoute(leaf, "203.0.113.40/32", true);

        // --- the user moves the host to another pool (and other communities) and reloads
        Path file = dir.resolve("profile.yaml");
        Files.writeString(file, v2);
        GannetProcess.CliResult r = gannet.cliResult("reload");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("l4lb VIPs").contains("VIP pool 203.0.113.0/24 -> 198.51.100.0/24");
        awaitRoute(leaf, "198.51.100.20/32", true);
        awaitRoute(leaf, "203.0.113.10/32", false);
        assertThat(leaf.communities("198.51.100.20/32")).containsExactly("65000:20");
        assertThat(vip("198.51.100.20:80/TCP").path("route").asText()).isEqualTo("announced");
        assertThat(vip("203.0.113.10:80/TCP").isEmpty()).as("no longer served").isTrue();
        assertThat(refused()).contains("VIP 203.0.113.10 is outside the profile's VIP pool 198.51.100.0/24: not served")
                .doesNotContain("198.51.100.20");
        assertThat(gannet.log()).contains("VIP 203.0.113.10 is outside the profile's VIP pool 198.51.100.0/24");
        // the ExaBGP API: its route outside the new pool withdrawn, its lines judged by the new pool
        assertThat(r.out()).contains("exabgp api").contains("withdrawn [203.0.113.40/32]");
        awaitRoute(leaf, "203.0.113.40/32", false);
        assertThat(exabgp(sock, "announce route 203.0.113.41/32 next-hop self")).isEqualTo("error");
        assertThat(exabgp(sock, "announce route 198.51.100.40/32 next-hop self")).isEqualTo("done");
        awaitRoute(leaf, "198.51.100.40/32", true);

        // --- a broken profile: refused with its file:line:column, nothing changes
        String broken = v1.replace("vipPool: [203.0.113.0/24]", "vipPool: [203.0.113.0/33]");
        Files.writeString(file, broken);
        int line = broken.lines().toList().indexOf(broken.lines().filter(l -> l.contains("/33")).findFirst().orElseThrow()) + 1;
        r = gannet.cliResult("reload");
        assertThat(r.exit()).as(r.out() + r.err()).isNotZero();
        assertThat(r.err()).containsPattern("profile\\.yaml:" + line + ":\\d+: error");
        Thread.sleep(1500); // a directory re-read (every second) on the old pool still serves 198.51.100.20
        assertThat(vip("198.51.100.20:80/TCP").path("route").asText()).isEqualTo("announced");
        assertThat(leaf.routesFrom(LB)).containsKey("198.51.100.20/32").doesNotContainKey("203.0.113.10/32");
    }

    /** One line on the ExaBGP API's socket; its acknowledgement. */
    private static String exabgp(Path sock, String line) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            Channels.newOutputStream(c).write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private Map<String, Integer> entries(JsonNode vip) {
        Map<String, Integer> m = new HashMap<>();
        for (JsonNode b : vip.path("backends")) {
            m.put(b.path("backend").asText(), b.path("tableEntries").asInt());
        }
        return m;
    }

    private static JsonNode backend(JsonNode vip, String backend) {
        for (JsonNode b : vip.path("backends")) {
            if (b.path("backend").asText().equals(backend)) {
                return b;
            }
        }
        throw new AssertionError("no backend " + backend + " in " + vip);
    }

    private JsonNode vips() {
        try {
            return JSON.readTree(gannet.cli("show", "vips", "--json")).path("vips");
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }

    private JsonNode vip(String frontend) {
        for (JsonNode v : vips()) {
            if (v.path("frontend").asText().equals(frontend)) {
                return v;
            }
        }
        return JSON.createObjectNode();
    }

    private String refused() {
        StringBuilder b = new StringBuilder();
        for (JsonNode v : vips()) {
            if (v.path("route").asText().equals("refused")) {
                b.append(v.path("reason").asText()).append('\n');
            }
        }
        return b.toString();
    }

    private void awaitVip(String frontend, Predicate<JsonNode> p) throws Exception {
        gannet.awaitTrue("VIP " + frontend, () -> p.test(vip(frontend)), () -> "\n--- vips: " + vips() + "\n--- log:\n" + gannet.log());
    }

    private void awaitRoute(FrrSwitch leaf, String prefix, boolean present) throws Exception {
        gannet.awaitTrue("leaf1 " + (present ? "has " : "lost ") + prefix, () -> leaf.routesFrom(LB).containsKey(prefix) == present,
                () -> "\n--- vips: " + vips() + fabric.diagnostics());
    }
}
