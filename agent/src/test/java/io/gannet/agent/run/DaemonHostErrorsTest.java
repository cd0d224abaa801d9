package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.GannetCli;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "error messages in the user's terms": a host that cannot run the daemon as asked is
 * told why and what to do, before any session starts, with no Java class name in sight:
 * without CAP_NET_BIND_SERVICE (BGP's port 179), with a read-only state dir, on a full disk.
 *
 * <p>Each daemon runs in a namespace this test creates ({@code ip netns exec}, which also gives
 * it a mount namespace of its own): the read-only and full file systems are tmpfs mounts made
 * there, gone with the process; the capability is dropped from the bounding set with
 * {@code setpriv}, so even root cannot bind a port below 1024.
 */
class DaemonHostErrorsTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: host-errors}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [127.0.0.2], asn: 4200100001}
                hosts:
                  - {name: node1, address: 127.0.0.1, podCIDR: 10.244.1.0/24}
            """;

    @TempDir
    Path dir;
    private NetworkNamespace ns;
    private Path profile;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.requireRoot();
        Requirements.requireNetns();
        Requirements.requireCommand("setpriv");
        ns = NetworkNamespace.create("herr");
        ns.exec("ip", "link", "set", "lo", "up");
        profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void withoutCapNetBindServiceTheBgpPortIsRefusedWithTheFix() throws Exception {
        Result r = run("exec setpriv --bounding-set=-net_bind_service --inh-caps=-net_bind_service \"$@\"", dir.resolve("state"));
        assertThat(r.exit).as(r.out).isNotZero();
        assertThat(r.out).contains("BGP port 127.0.0.1:179/tcp needs root or CAP_NET_BIND_SERVICE")
                .contains("setcap cap_net_bind_service=+ep");
        assertUserTerms(r);
    }

    @Test
    void aReadOnlyStateDirIsRefusedWithTheFix() throws Exception {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Result r = run("mount -t tmpfs -o ro,size=1m gannet-test-ro " + ro + " && exec \"$@\"", ro.resolve("state"));
        assertThat(r.exit).as(r.out).isNotZero();
        assertThat(r.out).contains("cannot create state dir " + ro.resolve("state")).contains("Read-only file system")
                .contains("give --state-dir a directory this user can write");
        assertUserTerms(r);
    }

    @Test
    void aFullDiskIsRefusedWithTheFix() throws Exception {
        Path full = Files.createDirectories(dir.resolve("full"));
        // 64 KiB, filled to the last page; directories still fit, file contents do not.
        Result r = run("mount -t tmpfs -o size=64k gannet-test-full " + full + " && mkdir " + full.resolve("state")
                + " && (dd if=/dev/zero of=" + full.resolve("filler") + " bs=4k 2>/dev/null || true) && exec \"$@\"", full.resolve("state"));
        assertThat(r.exit).as(r.out).isNotZero();
        assertThat(r.out).contains("state dir " + full.resolve("state")).contains("No space left on device")
                .contains("the disk is full: free space on it");
        assertUserTerms(r);
    }

    private static void assertUserTerms(Result r) {
        assertThat(r.out).doesNotContain("Exception").doesNotContain("null").doesNotContain("at io.gannet")
                .doesNotContain("at java.");
        assertThat(r.out.lines().filter(l -> l.startsWith("gannet run: cannot start: "))).as(r.out).hasSize(1);
    }

    /** {@code gannet run} in the namespace, behind {@code sh -c PREAMBLE} (which ends by exec'ing "$@"). */
    private Result run(String preamble, Path stateDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", preamble, "gannet", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), GannetCli.class.getName(), "run", "--profile", profile.toString(),
                "--node", "node1", "--state-dir", stateDir.toString(), "--socket", dir.resolve("gannet.sock").toString()));
        Process p = new ProcessBuilder(ns.inside(cmd.toArray(String[]::new))).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("gannet run still running after 60 s: " + new String(p.getInputStream().readAllBytes()));
        }
        Result r = new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()));
        System.out.println("DaemonHostErrorsTest: exit " + r.exit + ": " + r.out.strip());
        return r;
    }

    private record Result(int exit, String out) {}
}
