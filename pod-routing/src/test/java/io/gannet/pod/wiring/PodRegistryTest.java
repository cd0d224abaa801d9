package io.gannet.pod.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry file: today's dual-stack format, and the single-address format of earlier versions. */
class PodRegistryTest {
    /** Exactly what the version before dual-stack pods wrote (Jackson over the single-address record). */
    private static final String BEFORE_DUAL_STACK = "[{\"containerId\":\"ctr-a\",\"ifName\":\"eth0\",\"netns\":\"/run/netns/x\","
            + "\"hostVeth\":\"gn0123456789abc\",\"address\":\"10.1.2.7/32\",\"gateway\":\"10.1.2.1\",\"podMac\":\"aa:bb:cc:dd:ee:01\","
            + "\"hostMac\":\"aa:bb:cc:dd:ee:02\",\"podNamespace\":\"default\",\"podName\":\"web-0\"},"
            + "{\"containerId\":\"ctr-b\",\"ifName\":\"eth0\",\"netns\":\"/run/netns/y\",\"hostVeth\":\"gn0123456789abd\","
            + "\"address\":\"10.1.2.8/32\",\"gateway\":\"10.1.2.1\",\"podMac\":\"aa:bb:cc:dd:ee:03\",\"hostMac\":\"aa:bb:cc:dd:ee:04\","
            + "\"podNamespace\":null,\"podName\":null}]";

    @TempDir
    Path state;

    @Test
    void aFileWrittenBeforeDualStackLoadsAsSingleAddressPods() throws Exception {
        Files.writeString(state.resolve("pods.json"), BEFORE_DUAL_STACK);
        PodRegistry r = PodRegistry.open(state);
        PodAttachment a = r.get("ctr-a", "eth0").orElseThrow();
        assertThat(a.addresses()).containsExactly("10.1.2.7/32");
        assertThat(a.gateways()).containsExactly("10.1.2.1");
        assertThat(a.address()).isEqualTo("10.1.2.7/32");
        assertThat(a.ip()).isEqualTo("10.1.2.7");
        assertThat(a.gateway()).isEqualTo("10.1.2.1");
        assertThat(a.hostVeth()).isEqualTo("gn0123456789abc");
        assertThat(a.podMac()).isEqualTo("aa:bb:cc:dd:ee:01");
        assertThat(a.hostMac()).isEqualTo("aa:bb:cc:dd:ee:02");
        assertThat(a.podNamespace()).isEqualTo("default");
        assertThat(a.podName()).isEqualTo("web-0");
        PodAttachment b = r.get("ctr-b", "eth0").orElseThrow();
        assertThat(b.podNamespace()).isNull();
        assertThat(b.ips()).containsExactly("10.1.2.8");

        // The next change rewrites the file in today's format; nothing is lost on the way.
        r.put(new PodAttachment("ctr-c", "eth0", "/run/netns/z", "gn0123456789abe", List.of("10.1.2.9/32", "fd00:1:2::9/128"),
                List.of("10.1.2.1", "fd00:1:2::1"), "aa:bb:cc:dd:ee:05", "aa:bb:cc:dd:ee:06", "default", "web-1"));
        assertThat(Files.readString(state.resolve("pods.json"))).contains("\"addresses\":[\"10.1.2.7/32\"]");
        PodRegistry again = PodRegistry.open(state);
        assertThat(again.all()).containsExactlyElementsOf(r.all());
        PodAttachment c = again.get("ctr-c", "eth0").orElseThrow();
        assertThat(c.address()).isEqualTo("10.1.2.9/32");
        assertThat(c.gateway()).isEqualTo("10.1.2.1");
        assertThat(c.ips()).containsExactly("10.1.2.9", "fd00:1:2::9");
        assertThat(c.ipv4()).contains("10.1.2.9");
    }

    @Test
    void anIpv6OnlyPodNamesItsIpv6AddressFirst() {
        PodAttachment a = new PodAttachment("c", "eth0", "/run/netns/q", "gn0123456789abf", "fd00:1:2::5/128", "fd00:1:2::1",
                "", "", "", "");
        assertThat(a.ip()).isEqualTo("fd00:1:2::5");
        assertThat(a.ipv4()).isEmpty();
    }

    @Test
    void aDamagedFileIsAClearError() throws Exception {
        Files.writeString(state.resolve("pods.json"), "[{\"containerId\":\"ctr-a\",\"ifName\":\"eth0\",\"addresses\":[\"10.1.2.7/32\"],"
                + "\"gateways\":[]}]");
        assertThatThrownBy(() -> PodRegistry.open(state)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("pods.json").hasMessageContaining("ctr-a/eth0 has no gateways");
    }
}
