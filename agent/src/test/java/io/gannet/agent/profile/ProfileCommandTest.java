package io.gannet.agent.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.GannetCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gannet profile check|render|diff} through the real command line: output and exit codes 0, 1, 2. */
class ProfileCommandTest {
    record Run(int exit, String out, String err) {}

    static Path repo() {
        String env = System.getenv("GANNET_REPO");
        Path p = env != null ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
        return Files.isDirectory(p.resolve("topology-profiles")) ? p : Path.of("").toAbsolutePath();
    }

    static String example(String name) {
        return repo().resolve("topology-profiles/examples").resolve(name).toString();
    }

    static String broken(String name) {
        return repo().resolve("topology-profiles/src/test/resources/broken").resolve(name).toString();
    }

    static Run run(String... args) {
        CommandLine cli = GannetCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void checkPassesTheExamplesWithWarningsOnly() {
        // The examples name MD5 keys that live on production hosts: checked here without them.
        Run r = run("profile", "check", "--no-secrets", example("ibgp-core.yaml"), example("ebgp-leaf.yaml"), example("demo.yaml"));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("ibgp-core.yaml: ok, 6 host(s), 2 switch(es), 0 warning(s)");
        assertThat(r.out()).contains("demo.yaml:22:14: warning: spec: BFD is off");
        assertThat(r.out()).contains("demo.yaml: ok, 1 host(s), 1 switch(es), 2 warning(s)");
    }

    @Test
    void checkPrintsEveryErrorWithItsLocationAndExitsOne() {
        Run r = run("profile", "check", broken("duplicates.yaml"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(broken("duplicates.yaml") + ":8:3: error: duplicate key 'podCIDRPool' (first at line 7)");
        assertThat(r.out()).contains(":17:16: error: duplicate host name 'n1'");
        assertThat(r.out()).contains("6 error(s), 0 warning(s)");
    }

    @Test
    void renderNodePrintsYamlOrJsonAndNeverTheMd5Value() {
        Run yaml = run("profile", "render", example("ibgp-core.yaml"), "--node", "node2", "--no-secrets");
        assertThat(yaml.exit()).as(yaml.err()).isZero();
        assertThat(yaml.out()).contains("name: node2").contains("podCidr: 10.244.0.0/24").contains("md5: <from env GANNET_CORE_MD5>");
        Run json = run("profile", "render", example("demo.yaml"), "--node", "node1", "--format", "json");
        assertThat(json.exit()).isZero();
        assertThat(json.out()).contains("\"listenPort\" : 1791").contains("\"podCidr\" : \"10.244.1.0/24\"");
        assertThat(json.err()).contains("warning: node node1 has a single uplink");
    }

    @Test
    void renderSwitchWritesFrrAndBird() {
        Run frr = run("profile", "render", example("demo.yaml"), "--switch", "sw1", "--format", "frr");
        assertThat(frr.exit()).isZero();
        assertThat(frr.out()).contains("router bgp 4200000100").contains("neighbor 127.0.0.1 remote-as 4200000001")
                .contains("neighbor 127.0.0.1 port 1791");
        Run bird = run("profile", "render", example("demo.yaml"), "--switch", "sw1", "--format", "bird");
        assertThat(bird.exit()).isZero();
        assertThat(bird.out()).contains("neighbor 127.0.0.1 port 1791 as 4200000001;");
    }

    @Test
    void unresolvableSecretUnknownHostAndBrokenProfileExitOne() {
        Run secret = run("profile", "render", example("ibgp-core.yaml"), "--switch", "core1");
        assumeEnvUnset("GANNET_CORE_MD5");
        assertThat(secret.exit()).isEqualTo(1);
        assertThat(secret.err()).contains("environment variable GANNET_CORE_MD5 is not set");
        Run host = run("profile", "render", example("demo.yaml"), "--node", "nope");
        assertThat(host.exit()).isEqualTo(1);
        assertThat(host.err()).contains("no host 'nope'");
        Run broken = run("profile", "render", broken("asn.yaml"), "--node", "n1");
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).contains("asn.yaml:11:11: error:");
        Run missing = run("profile", "check", "/nonexistent/profile.yaml");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("cannot read");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("profile").exit()).isEqualTo(2);
        assertThat(run("profile", "check").exit()).isEqualTo(2);
        assertThat(run("profile", "render", example("demo.yaml")).exit()).isEqualTo(2);
        assertThat(run("profile", "render", example("demo.yaml"), "--node", "node1", "--switch", "sw1").exit()).isEqualTo(2);
        Run wrongFormat = run("profile", "render", example("demo.yaml"), "--node", "node1", "--format", "frr");
        assertThat(wrongFormat.exit()).isEqualTo(2);
        assertThat(wrongFormat.err()).contains("--node takes yaml or json");
        assertThat(run("profile", "render", example("demo.yaml"), "--switch", "sw1", "--format", "xml").exit()).isEqualTo(2);
        assertThat(run("profile", "diff", example("demo.yaml")).exit()).isEqualTo(2);
    }

    @Test
    void diffShowsPerHostSessionAndAnnouncementChanges(@TempDir Path dir) throws Exception {
        String text = Files.readString(Path.of(example("demo.yaml")));
        Path changed = dir.resolve("demo2.yaml");
        Files.writeString(changed, text.replace("podCIDR: 10.244.1.0/24", "podCIDR: 10.244.2.0/24")
                .replace("holdTime: 9", "holdTime: 30"));
        Run r = run("profile", "diff", example("demo.yaml"), changed.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("host node1: changed").contains("~ session sw1: holdTime, keepalive (session reset)")
                .contains("+ announce 10.244.2.0/24").contains("- announce 10.244.1.0/24");
        Run same = run("profile", "diff", example("demo.yaml"), example("demo.yaml"));
        assertThat(same.out()).isEqualTo("no changes\n");
        assertThat(run("profile", "diff", example("demo.yaml"), broken("asn.yaml")).exit()).isEqualTo(1);
    }

    private static void assumeEnvUnset(String name) {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(name) == null, name + " is set in this environment");
    }

    @Test
    void checkRefusesEveryKeyFileRunAndRenderWouldRefuse(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // Issue 9: check == run/render for MD5 references: missing, empty, oversized, world-readable.
        java.nio.file.Path key = dir.resolve("leaf-r3");
        String text = java.nio.file.Files.readString(java.nio.file.Path.of(example("ebgp-leaf.yaml"))).replace("/etc/gannet/md5/leaf-r3", key.toString());
        java.nio.file.Path profile = dir.resolve("p.yaml");
        java.nio.file.Files.writeString(profile, text);

        Run missing = run("profile", "check", profile.toString());
        assertThat(missing.exit()).as(missing.out()).isEqualTo(1);
        assertThat(missing.out()).contains("error: MD5 password file " + key + " cannot be read: it does not exist")
                .contains("switch leaf-r3-a").doesNotContain("Exception");

        java.nio.file.Files.writeString(key, "s3cret-key\n");
        java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Run worldReadable = run("profile", "check", profile.toString());
        assertThat(worldReadable.exit()).isEqualTo(1);
        assertThat(worldReadable.out()).contains("is readable by every user of this machine: chmod 600 " + key).doesNotContain("s3cret");

        java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Run ok = run("profile", "check", profile.toString());
        assertThat(ok.exit()).as(ok.out()).isZero();
        // and render, which reads it the same way, agrees
        assertThat(run("profile", "render", profile.toString(), "--switch", "leaf-r3-a", "--format", "frr").exit()).isZero();

        java.nio.file.Files.writeString(key, "\n");
        Run empty = run("profile", "check", profile.toString());
        assertThat(empty.exit()).isEqualTo(1);
        assertThat(empty.out()).contains("MD5 password file " + key + " is empty");
        assertThat(run("profile", "render", profile.toString(), "--switch", "leaf-r3-a", "--format", "frr").exit()).isNotZero();

        java.nio.file.Files.writeString(key, "x".repeat(5000));
        Run big = run("profile", "check", profile.toString());
        assertThat(big.exit()).isEqualTo(1);
        assertThat(big.out()).contains("is 5000 bytes");
    }
}
