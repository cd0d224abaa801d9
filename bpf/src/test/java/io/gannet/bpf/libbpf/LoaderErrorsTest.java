package io.gannet.bpf.libbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's refusals name what to fix. */
class LoaderErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void verifierRejectionCarriesTheLog() throws IOException {
        Requirements.requireBpf();
        Requirements.requireCommand("clang");
        // Reads past the packet without a bounds check: the verifier must refuse it.
        String c = """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("tc")
                int unchecked(struct __sk_buff *skb)
                {
                	unsigned char *data = (void *)(long)skb->data;
                	return data[100];
                }
                char _license[] SEC("license") = "GPL";
                """;
        Path src = tmp.resolve("bad.c");
        Files.writeString(src, c);
        Path obj = tmp.resolve("bad.o");
        NetworkNamespace.Shell.run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                "-c", src.toString(), "-o", obj.toString());
        assertThatThrownBy(() -> BpfObject.load(obj, null))
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BpfException.Kind.VERIFIER);
                    assertThat(e.verifierLog()).contains("invalid access to packet");
                    assertThat(e.getMessage()).contains("verifier rejected").contains("bad.o");
                });
    }

    @Test
    void incompatiblePinnedMapIsNamed() throws IOException {
        Requirements.requireBpf();
        Requirements.requireCommand("clang");
        java.nio.file.Path pins = java.nio.file.Path.of("/sys/fs/bpf/gannet-test-" + ProcessHandle.current().pid() + "-compat");
        try {
            Files.createDirectories(pins);
            Path v1 = compileMapObject("v1", 4);
            Path v2 = compileMapObject("v2", 8);
            try (BpfObject o = BpfObject.load(v1, pins.toString())) {
                assertThat(o.map("dp_compat").valueSize()).isEqualTo(4);
            }
            assertThatThrownBy(() -> BpfObject.load(v2, pins.toString()))
                    .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.getMessage())
                            .contains("does not match").contains(pins.toString()));
        } finally {
            io.gannet.bpf.Datapath.removePins(pins);
        }
    }

    Path compileMapObject(String name, int valueSize) throws IOException {
        String c = """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct {
                	__uint(type, BPF_MAP_TYPE_HASH);
                	__uint(max_entries, 16);
                	__type(key, __u32);
                	__type(value, __u8[%d]);
                	__uint(pinning, LIBBPF_PIN_BY_NAME);
                } dp_compat SEC(".maps");
                SEC("tc")
                int prog(struct __sk_buff *skb)
                {
                	__u32 k = 0;
                	return bpf_map_lookup_elem(&dp_compat, &k) ? 1 : 0;
                }
                char _license[] SEC("license") = "GPL";
                """.formatted(valueSize);
        Path src = tmp.resolve(name + ".c");
        Files.writeString(src, c);
        Path obj = tmp.resolve(name + ".o");
        NetworkNamespace.Shell.run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                "-c", src.toString(), "-o", obj.toString());
        return obj;
    }

    @Test
    void missingObjectAndDeviceAreNamed() {
        Requirements.requireBpf();
        assertThatThrownBy(() -> BpfObject.load(tmp.resolve("nope.o"), null))
                .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.kind()).isEqualTo(BpfException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> Tc.ifindex("gannet-no-such0"))
                .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.getMessage()).contains("gannet-no-such0"));
    }

    @Test
    void pinDirectoryOutsideBpffsIsRefused() {
        assertThatThrownBy(() -> Bpffs.requireDirectory(tmp.resolve("pins")))
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BpfException.Kind.NO_BPFFS);
                    assertThat(e.getMessage()).contains("mount -t bpf");
                });
    }

    @Test
    void missingCapabilitiesAreNamed() {
        assertThat(Capabilities.missing(0)).containsExactly("CAP_BPF (or CAP_SYS_ADMIN)", "CAP_NET_ADMIN");
        assertThat(Capabilities.missing((1L << 39) | (1L << 12))).as("CAP_BPF + CAP_NET_ADMIN").isEmpty();
        assertThat(Capabilities.missing((1L << 21) | (1L << 12))).as("CAP_SYS_ADMIN + CAP_NET_ADMIN (5.7 and older)").isEmpty();
        assertThat(Capabilities.missing(1L << 39)).containsExactly("CAP_NET_ADMIN");
        assertThat(Capabilities.missing(0x1ffffffffffL)).as("root").isEmpty();
        Requirements.requireRoot();
        Capabilities.require(); // root has them all
    }

    @Test
    void unprivilegedProcessGetsThePermissionError() throws Exception {
        Requirements.requireRoot();
        Requirements.requireCommand("setpriv");
        // A child JVM, still uid 0 (so it can read the test classpath) but with an empty
        // capability bounding set, opens the datapath and prints the error.
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", java, "-cp", System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED", UnprivilegedOpen.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("PERMISSION").contains("CAP_BPF").contains("CAP_NET_ADMIN");
    }

    /** Entry point of the unprivileged child JVM. */
    public static final class UnprivilegedOpen {
        public static void main(String[] args) {
            try {
                io.gannet.bpf.Datapath.open(io.gannet.bpf.DatapathOptions.defaults()
                        .withPinRoot(Path.of("/sys/fs/bpf/gannet-unpriv-never")));
                System.out.println("OPENED (unexpected)");
            } catch (BpfException e) {
                System.out.println(e.kind() + ": " + e.getMessage());
            }
        }
    }

    @Test
    void kernelProbeFindsEverythingHere() {
        Requirements.requireBpf();
        KernelFeatures.Report r = KernelFeatures.probe();
        assertThat(r.missing()).isEmpty();
        assertThat(KernelFeatures.version("5.10.0-28-amd64")).containsExactly(5, 10);
        assertThat(KernelFeatures.version("garbage")).containsExactly(0, 0);
    }
}
