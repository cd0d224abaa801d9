package io.gannet.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.agent.GannetCli;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code gannet datapath status|reset} as an operator runs them: status lists the pins and
 * the hooks Gannet is attached to; reset refuses while a daemon holds the pin root, then
 * leaves no filter, no clsact qdisc it emptied and no pin.
 */
class DatapathCommandTest {
    record Out(int code, String out, String err) {}

    static Out gannet(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = GannetCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Out(code, out.toString(), err.toString());
    }

    @Test
    void statusThenResetLeavesNothingBehind() throws Exception {
        Requirements.requireBpf();
        Requirements.requireNetns();
        Path pins = Path.of("/sys/fs/bpf/gannet-cli-test-" + ProcessHandle.current().pid());
        try (NetworkNamespace a = NetworkNamespace.create("dpcli-a"); NetworkNamespace b = NetworkNamespace.create("dpcli-b")) {
            a.linkTo(b, "lxc0", "10.205.0.1/30", "eth0", "10.205.0.2/30");
            try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins).withNetns(Netns.named(a.name())))) {
                dp.attachPod("lxc0", "10.205.0.2");
                dp.attachHostXdp("lxc0", false);
            }
            assertThat(a.exec("ip", "link", "show", "dev", "lxc0")).as("the XDP link outlives the datapath").contains("xdpgeneric");
            String[] where = {"--bpf-pin-root", pins.toString(), "--netns", a.name()};

            Out status = gannet(concat(new String[] {"datapath", "status", "--json"}, where));
            assertThat(status.code()).as(status.err()).isZero();
            JsonNode s = new ObjectMapper().readTree(status.out());
            assertThat(s.path("layout").asText()).isEqualTo("v2");
            assertThat(s.path("daemonRunning").asBoolean()).isFalse();
            assertThat(s.path("pins").toString()).contains("v2/dp_svc4").contains("v2/progs/from_pod");
            assertThat(s.path("hooks").toString()).contains("lxc0").contains("ingress").contains("egress").contains("xdp generic");
            assertThat(gannet(concat(new String[] {"datapath", "status"}, where)).out()).contains("lxc0").contains("layout v2");

            // A daemon holding the pin root (flock(1) stands in for it): reset refuses, changes nothing.
            Process daemon = new ProcessBuilder("flock", "--no-fork", "-x", pins.toString(), "sleep", "30").start();
            try {
                Out refused = null;
                for (int i = 0; i < 50; i++) {
                    refused = gannet(concat(new String[] {"datapath", "reset"}, where));
                    if (refused.code() == ExitCodes.REJECTED) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(refused.code()).isEqualTo(ExitCodes.REJECTED);
                assertThat(refused.err()).contains("daemon is running").doesNotContain("Exception");
            } finally {
                daemon.destroy();
                daemon.waitFor(5, TimeUnit.SECONDS);
            }
            assertThat(pins.resolve("v2")).exists();

            Out reset = gannet(concat(new String[] {"datapath", "reset"}, where));
            assertThat(reset.code()).as(reset.err()).isZero();
            // tcx links on this kernel: no clsact qdisc was made, none is left; the links are gone with their pins
            assertThat(reset.out()).contains("detached lxc0 ingress").contains("detached lxc0 egress").contains("detached lxc0 xdp generic");
            assertThat(a.exec("ip", "link", "show", "dev", "lxc0")).doesNotContain("xdp");
            assertThat(a.exec("tc", "filter", "show", "dev", "lxc0", "ingress")).isBlank();
            assertThat(a.exec("tc", "qdisc", "show", "dev", "lxc0")).doesNotContain("clsact");
            for (io.gannet.bpf.libbpf.Tc.Direction d : io.gannet.bpf.libbpf.Tc.Direction.values()) {
                assertThat(Netns.call(Netns.named(a.name()), () -> io.gannet.bpf.libbpf.HookOccupants.foreign("lxc0", d, 0)))
                        .as("nothing on lxc0 " + d.label()).isEmpty();
            }
            assertThat(Files.exists(pins)).as("no pin left").isFalse();
        } finally {
            Datapath.removePins(pins);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
