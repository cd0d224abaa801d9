package io.gannet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.testsupport.Requirements;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Router Advertisements between two namespaces the test creates: sent by one, learned by the other. */
class RouterAdvertisementsTest {
    @BeforeAll
    static void requirements() {
        Requirements.requireNetns();
    }

    @Test
    void aRouterAdvertisementTeachesTheOtherEndOurLinkLocalAddress() throws Exception {
        try (NetworkNamespace a = NetworkNamespace.create("ra");
             NetworkNamespace b = NetworkNamespace.create("rb")) {
            Shell.link(a, b);
            String aLinkLocal = linkLocal(a, "ra0");
            CompletableFuture<Inet6Address> heard = CompletableFuture.supplyAsync(() -> inside(b, () -> {
                try (RouterAdvertisements ra = RouterAdvertisements.open("rb0")) {
                    for (int i = 0; i < 50; i++) {
                        Inet6Address from = ra.receive(100);
                        if (from != null) {
                            return from;
                        }
                    }
                    return null;
                }
            }));
            Thread.sleep(300); // the receiver is open
            inside(a, () -> {
                try (RouterAdvertisements ra = RouterAdvertisements.open("ra0")) {
                    ra.send();
                    ra.send();
                    // Our own RAs do not come back to us (no multicast loop).
                    assertThat(ra.receive(200)).isNull();
                }
                return null;
            });
            Inet6Address from = heard.get(10, TimeUnit.SECONDS);
            assertThat(from).isNotNull();
            assertThat(from.getAddress()).isEqualTo(java.net.InetAddress.getByName(aLinkLocal).getAddress());
            assertThat(from.getScopeId()).isPositive();
        }
    }

    @Test
    void aMissingInterfaceIsNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RouterAdvertisements.open("no-such-if0"))
                .isInstanceOf(SysException.class).hasMessageContaining("no-such-if0");
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    /** Runs {@code call} on a fresh thread inside {@code ns}. */
    private static <T> T inside(NetworkNamespace ns, Call<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Netns.enterOnThisThread(Path.of("/run/netns", ns.name()));
                f.complete(call.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.start();
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String linkLocal(NetworkNamespace ns, String dev) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            String out = ns.exec("ip", "-6", "-o", "addr", "show", "dev", dev, "scope", "link");
            if (!out.isBlank() && !out.contains("tentative")) {
                String cidr = out.trim().split("\\s+")[3];
                return cidr.substring(0, cidr.indexOf('/'));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no link-local address on " + dev);
    }

    private static final class Shell {
        static void link(NetworkNamespace a, NetworkNamespace b) {
            NetworkNamespace.Shell.run("ip", "link", "add", "ra0", "netns", a.name(), "type", "veth", "peer", "name", "rb0",
                    "netns", b.name());
            a.exec("ip", "link", "set", "ra0", "up");
            b.exec("ip", "link", "set", "rb0", "up");
        }
    }
}
