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

    /** Sends ICMPv6 messages from {@code dev} to all nodes: arguments are hop limit and hex payload pairs. */
    private static final String SEND = """
            import socket, sys
            dev = sys.argv[1]
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
            idx = socket.if_nametoindex(dev)
            for i in range(2, len(sys.argv), 2):
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, int(sys.argv[i]))
                s.sendto(bytes.fromhex(sys.argv[i + 1]), ("ff02::1", 0, 0, idx))
            """;

    /**
     * What the receiver must not take: an RA from beyond the link (hop limit 64, RFC 4861 6.1.2),
     * a truncated RA (4 octets), and other ICMPv6 types (an echo request, a neighbor
     * advertisement). None is a switch's address; the well-formed RA sent after them is.
     */
    @Test
    void malformedOrForeignAdvertisementsAreIgnored() throws Exception {
        try (NetworkNamespace a = NetworkNamespace.create("rma");
             NetworkNamespace b = NetworkNamespace.create("rmb")) {
            Shell.link(a, b);
            linkLocal(a, "ra0");
            linkLocal(b, "rb0");
            java.nio.file.Path script = java.nio.file.Files.createTempFile("gannet-ra-", ".py");
            java.nio.file.Files.writeString(script, SEND);
            try {
                // type 134, code 0, checksum (the kernel's), cur hop limit 64, flags 0, lifetime 0, timers 0
                String good = "86000000400000000000000000000000";
                CompletableFuture<java.util.List<Inet6Address>> heard = CompletableFuture.supplyAsync(() -> inside(b, () -> {
                    java.util.List<Inet6Address> got = new java.util.ArrayList<>();
                    try (RouterAdvertisements r = RouterAdvertisements.open("rb0")) {
                        long end = System.nanoTime() + 4_000_000_000L;
                        while (System.nanoTime() < end) {
                            Inet6Address from = r.receive(100);
                            if (from != null) {
                                got.add(from);
                            }
                        }
                    }
                    return got;
                }));
                Thread.sleep(500); // the receiver is open
                a.exec("python3", script.toString(), "ra0", "64", good, "255", "86000000", "255", "8000000000010001",
                        "255", "880000000000000000000000000000000000000000000000");
                Thread.sleep(1000);
                a.exec("python3", script.toString(), "ra0", "255", good);
                java.util.List<Inet6Address> got = heard.get(15, TimeUnit.SECONDS);
                assertThat(got).as("only the well-formed RA sent with hop limit 255").hasSize(1);
            } finally {
                java.nio.file.Files.deleteIfExists(script);
            }
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
