package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.GannetCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** gannet run refuses options it cannot honour before it starts anything, in the user's terms. */
class RunOptionsTest {
    private record Result(int exit, String err) {}

    private static Result run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = GannetCli.commandLine().execute(args);
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aConntrackSizeOutOfBoundsIsRefused() {
        Result r = run("run", "--profile", "/nonexistent/profile.yaml", "--node", "n1", "--conntrack-max", "1000");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("gannet run: --conntrack-max: conntrack table of 1000 entries: 65536 to 4194304")
                .doesNotContain("Exception");
    }

    @Test
    void socketLevelLoadBalancingWithoutServicesIsRefused() {
        Result r = run("run", "--profile", "/nonexistent/profile.yaml", "--node", "n1", "--socket-lb-cgroup", "/sys/fs/cgroup");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--socket-lb-cgroup").contains("it needs --services-dir");
    }

    @Test
    void xdpNeedsAHostDeviceAndAMode() {
        Result none = run("run", "--profile", "/nonexistent/profile.yaml", "--node", "n1", "--services-dir", "/tmp", "--xdp", "generic");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--xdp").contains("it needs --host-device");
        Result mode = run("run", "--profile", "/nonexistent/profile.yaml", "--node", "n1", "--host-device", "eth0", "--xdp", "fast");
        assertThat(mode.exit()).isEqualTo(2);
        assertThat(mode.err()).contains("--xdp is native (the NIC driver's XDP) or generic (any device), not fast");
    }

    @Test
    void twoSourcesOfServicesAreRefused() {
        Result r = run("run", "--profile", "/nonexistent/profile.yaml", "--node", "n1", "--services-dir", "/tmp", "--kube-api", "in-cluster");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--kube-api and --services-dir are two sources of the same Services: give one");
    }

    @Test
    void policyFromTheApiWithoutTheApiIsRefused() {
        Result r = run("run", "--profile", "/nonexistent/profile.yaml", "--node", "n1", "--kube-api-policy");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--kube-api-policy reads network policy from the Kubernetes API: it needs --kube-api");
    }
}
