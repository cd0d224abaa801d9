package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.libbpf.Netns;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * TC attachment shares the clsact qdisc: another filter on the device survives Gannet's
 * attach, replace and detach; re-attaching replaces Gannet's program in place.
 */
class AttachTest {
    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    /** Someone else's TC program (no maps): only cls_bpf is guaranteed on every kernel Gannet supports. */
    Path foreignProgram() throws java.io.IOException {
        Path src = tmp.resolve("foreign.c");
        java.nio.file.Files.writeString(src, """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("tc")
                int foreign(struct __sk_buff *skb) { return 0; }
                char _license[] SEC("license") = "GPL";
                """);
        Path obj = tmp.resolve("foreign.o");
        NetworkNamespace.Shell.run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString());
        return obj;
    }

    @Test
    void aSharedHookSurvivesAttachReplaceDetach() throws java.io.IOException {
        Requirements.requireNetns();
        Requirements.requireCommand("tc");
        Requirements.requireCommand("clang");
        Path foreign = foreignProgram();
        Path pins = DatapathFixture.uniquePinRoot();
        try (NetworkNamespace a = NetworkNamespace.create("dpatt-a"); NetworkNamespace b = NetworkNamespace.create("dpatt-b")) {
            a.linkTo(b, "lxc0", "10.201.0.1/30", "eth0", "10.201.0.2/30");
            a.exec("tc", "qdisc", "add", "dev", "lxc0", "clsact");
            a.exec("tc", "filter", "add", "dev", "lxc0", "ingress", "prio", "5", "bpf", "obj", foreign.toString(), "sec", "tc", "da");
            DatapathOptions refusing = DatapathFixture.options(pins).withNetns(Netns.named(a.name()));
            try (Datapath dp = Datapath.open(refusing)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> dp.attachPod("lxc0", "10.201.0.1"))
                        .isInstanceOf(io.gannet.bpf.libbpf.BpfException.class)
                        .hasMessageContaining("another program is attached to lxc0")
                        .hasMessageContaining("foreign")
                        .hasMessageContaining("coexist");
                assertThat(dp.attachedProgramId("lxc0", true)).as("nothing attached").isZero();
            }
            DatapathOptions opts = refusing.withCoexist(true);
            int firstId;
            try (Datapath dp = Datapath.open(opts)) {
                // an earlier Gannet's cls_bpf filter on the hook: the tcx link replaces it (never both)
                Netns.run(Netns.named(a.name()), () -> io.gannet.bpf.libbpf.Tc.attach("lxc0", io.gannet.bpf.libbpf.Tc.Direction.INGRESS,
                        dp.program(Datapath.FROM_POD)));
                assertThat(a.exec("tc", "filter", "show", "dev", "lxc0", "ingress")).contains("handle 0x6761");
                dp.attachPod("lxc0", "10.201.0.1");
                assertThat(a.exec("tc", "filter", "show", "dev", "lxc0", "ingress")).doesNotContain("handle 0x6761");
                firstId = dp.attachedProgramId("lxc0", true);
                assertThat(firstId).isPositive();
                assertThat(dp.attachedProgramId("lxc0", false)).isPositive();
                assertThat(dp.endpoints6().get(dp.ifindex("lxc0"))).as("no IPv6 address: none may be sent from")
                        .isEqualTo(io.gannet.bpf.maps.EndpointValue6.NONE);
            }
            try (Datapath dp = Datapath.open(opts)) {
                dp.attachPod("lxc0", "10.201.0.1", "fd00:201::1"); // agent restart: replace in place
                io.gannet.bpf.lb.Ipv6 v6 = io.gannet.bpf.lb.Ipv6.parse("fd00:201::1");
                assertThat(dp.endpoints6().get(dp.ifindex("lxc0"))).isEqualTo(new io.gannet.bpf.maps.EndpointValue6(v6.hi(), v6.lo()));
                int secondId = dp.attachedProgramId("lxc0", true);
                assertThat(secondId).isPositive().isNotEqualTo(firstId);
                // Gannet's programs as tcx links (this kernel has tcx; Debian's bpftool 7.1 does not show
                // them), one per hook, the operator's filter still there
                assertThat(io.gannet.bpf.libbpf.Tc.mode()).isEqualTo("tcx");
                java.util.List<String> onHook = Netns.call(Netns.named(a.name()),
                        () -> io.gannet.bpf.libbpf.HookOccupants.foreign("lxc0", io.gannet.bpf.libbpf.Tc.Direction.INGRESS, 0));
                assertThat(onHook).filteredOn(o -> o.startsWith("tcx")).containsExactly("tcx program id " + secondId);
                assertThat(onHook).anyMatch(o -> o.contains("foreign"));
                dp.detachPod("lxc0");
                assertThat(dp.endpoints6().get(dp.ifindex("lxc0"))).as("forgotten with the endpoint").isNull();
                assertThat(dp.attachedProgramId("lxc0", true)).isZero();
                assertThat(dp.attachedProgramId("lxc0", false)).isZero();
            }
            String after = a.exec("tc", "filter", "show", "dev", "lxc0", "ingress");
            assertThat(after).contains("foreign").doesNotContain("from_pod");
            assertThat(Netns.call(Netns.named(a.name()), () -> io.gannet.bpf.libbpf.HookOccupants.foreign("lxc0",
                    io.gannet.bpf.libbpf.Tc.Direction.INGRESS, 0))).noneMatch(o -> o.startsWith("tcx"));
            assertThat(a.exec("tc", "qdisc", "show", "dev", "lxc0")).contains("clsact");
        } finally {
            Datapath.removePins(pins);
        }
    }

    @Test
    void aLinkWhoseDeviceWentAwayIsSweptAndTheSameNameGetsANewOne() {
        Requirements.requireNetns();
        Path pins = DatapathFixture.uniquePinRoot();
        try (NetworkNamespace a = NetworkNamespace.create("dpgone-a"); NetworkNamespace b = NetworkNamespace.create("dpgone-b")) {
            a.linkTo(b, "lxc0", "10.207.0.1/30", "eth0", "10.207.0.2/30");
            DatapathOptions opts = DatapathFixture.options(pins).withNetns(Netns.named(a.name()));
            Path pin = io.gannet.bpf.libbpf.Tc.linkPin(PinLayout.linksDir(pins), "lxc0", io.gannet.bpf.libbpf.Tc.Direction.INGRESS);
            try (Datapath dp = Datapath.open(opts)) {
                dp.attachPod("lxc0", "10.207.0.2");
            }
            assertThat(pin).exists();
            a.exec("ip", "link", "del", "lxc0"); // the pod went away while no agent ran
            try (Datapath dp = Datapath.open(opts)) {
                assertThat(pin).as("swept at open").doesNotExist();
                a.linkTo(b, "lxc0", "10.207.0.1/30", "eth1", "10.207.0.2/30"); // a new veth of the same name
                dp.attachPod("lxc0", "10.207.0.2");
                assertThat(dp.attachedProgramId("lxc0", true)).isPositive();
                assertThat(pin).exists();
            }
        } finally {
            Datapath.removePins(pins);
        }
    }

    @Test
    void aFilterBehindGannetStillSeesPacketsGannetDoesNotOwn() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("tc");
        Requirements.requireCommand("clang");
        // An operator's classic filter behind Gannet's tcx link (tcx runs first) that drops everything. Only
        // cls_bpf is guaranteed on the kernels Gannet supports (no gact/u32 modules here).
        Path src = tmp.resolve("dropper.c");
        java.nio.file.Files.writeString(src, """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("tc")
                int dropper(struct __sk_buff *skb) { return 2; /* TC_ACT_SHOT */ }
                char _license[] SEC("license") = "GPL";
                """);
        Path obj = tmp.resolve("dropper.o");
        NetworkNamespace.Shell.run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString());
        Path pins = DatapathFixture.uniquePinRoot();
        try (NetworkNamespace a = NetworkNamespace.create("dpco-a"); NetworkNamespace b = NetworkNamespace.create("dpco-b")) {
            a.linkTo(b, "lxc0", "10.203.0.1/30", "eth0", "10.203.0.2/30");
            try (Datapath dp = Datapath.open(DatapathFixture.options(pins).withNetns(Netns.named(a.name())).withCoexist(true))) {
                dp.attachPod("lxc0", "10.203.0.2"); // the pod is b's side
                assertThat(ping(b, "10.203.0.1")).as("through Gannet alone").isZero();
                a.exec("tc", "qdisc", "add", "dev", "lxc0", "clsact"); // Gannet's tcx link needs none: the operator's filter does
                a.exec("tc", "filter", "add", "dev", "lxc0", "ingress", "prio", "30", "bpf", "obj", obj.toString(), "sec", "tc", "da");
                // ICMP is not Gannet's: from_pod answers TC_ACT_UNSPEC and the filter behind runs.
                assertThat(ping(b, "10.203.0.1")).as("the filter behind Gannet ran and dropped").isNotZero();
                a.exec("tc", "filter", "del", "dev", "lxc0", "ingress", "prio", "30");
                assertThat(ping(b, "10.203.0.1")).isZero();
                dp.detachPod("lxc0");
            }
        } finally {
            Datapath.removePins(pins);
        }
    }

    private static int ping(NetworkNamespace from, String to) throws Exception {
        Process p = from.start("ping", "-c", "1", "-W", "1", to);
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void xdpAttachAndDetachThroughLibbpf() throws java.io.IOException {
        Requirements.requireNetns();
        Requirements.requireCommand("clang");
        Path src = tmp.resolve("xdp.c");
        java.nio.file.Files.writeString(src, """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("xdp")
                int pass_all(struct xdp_md *ctx) { return XDP_PASS; }
                char _license[] SEC("license") = "GPL";
                """);
        Path obj = tmp.resolve("xdp.o");
        NetworkNamespace.Shell.run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString());
        try (NetworkNamespace a = NetworkNamespace.create("dpxdp-a"); NetworkNamespace b = NetworkNamespace.create("dpxdp-b");
                io.gannet.bpf.libbpf.BpfObject o = io.gannet.bpf.libbpf.BpfObject.load(obj, null)) {
            a.linkTo(b, "x0", "10.202.0.1/30", "eth0", "10.202.0.2/30");
            io.gannet.bpf.libbpf.BpfProgram p = o.program("pass_all");
            Netns.run(Netns.named(a.name()), () -> io.gannet.bpf.libbpf.Xdp.attach("x0", p, io.gannet.bpf.libbpf.Xdp.FLAGS_SKB_MODE));
            assertThat(a.exec("ip", "link", "show", "dev", "x0")).contains("xdpgeneric").contains("prog/xdp");
            Netns.run(Netns.named(a.name()), () -> io.gannet.bpf.libbpf.Xdp.detach("x0", io.gannet.bpf.libbpf.Xdp.FLAGS_SKB_MODE));
            assertThat(a.exec("ip", "link", "show", "dev", "x0")).doesNotContain("xdpgeneric").doesNotContain("prog/xdp");
        }
    }
}
