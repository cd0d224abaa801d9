package io.gannet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.linux.Errno;
import io.gannet.linux.LibC;
import io.gannet.linux.Netns;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * rtnetlink against a real kernel, inside namespaces the test creates; every effect is
 * checked with iproute2's view ({@code ip route}, {@code ip link}) as well as our dump.
 */
class RtNetlinkTest {
    private static final int PROTO = 201;
    private NetworkNamespace a;
    private RtNetlink nl;

    @BeforeEach
    void setUp() {
        Requirements.requireNetns();
        a = NetworkNamespace.create("nla");
        nl = RtNetlink.openIn(Netns.named(a.name()));
        nl.links().createVeth("d0", "d0p", -1, 0); // this kernel may lack the dummy driver
        Link d0 = nl.links().require("d0");
        nl.links().setUp(d0, true);
        nl.links().setUp(nl.links().require("d0p"), true);
        nl.addresses().add(d0, Prefix.host("10.77.0.1/24"));
    }

    @AfterEach
    void tearDown() {
        if (nl != null) {
            nl.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static InetAddress ip(String s) {
        return Prefix.literal(s);
    }

    @Test
    void addsDumpsReplacesAndDeletesRoutesWithItsProtocol() {
        Route r = Route.unicast(Prefix.parse("10.78.0.0/24"), 254, PROTO, List.of(NextHop.via(ip("10.77.0.2"))));
        nl.routes().add(r);
        assertThat(a.exec("ip", "route", "show", "10.78.0.0/24")).contains("via 10.77.0.2 dev d0 proto 201");
        List<Route> ours = nl.routes().dump(LibC.AF_INET, 254, PROTO);
        assertThat(ours).hasSize(1);
        assertThat(ours.get(0).dst()).isEqualTo(Prefix.parse("10.78.0.0/24"));
        assertThat(ours.get(0).nextHops()).extracting(NextHop::gateway).containsExactly(ip("10.77.0.2"));

        nl.routes().replace(Route.unicast(Prefix.parse("10.78.0.0/24"), 254, PROTO, List.of(NextHop.via(ip("10.77.0.3")))));
        assertThat(a.exec("ip", "route", "show", "10.78.0.0/24")).contains("via 10.77.0.3").doesNotContain("10.77.0.2");

        nl.routes().delete(r);
        assertThat(a.exec("ip", "route", "show", "10.78.0.0/24")).isBlank();
        assertThat(nl.routes().deleteIfPresent(r)).isFalse();
    }

    @Test
    void errorsNameTheRouteAndTheErrno() {
        Route r = Route.unicast(Prefix.parse("10.78.0.0/24"), 254, PROTO, List.of(NextHop.via(ip("10.77.0.2"))));
        nl.routes().add(r);
        assertThatThrownBy(() -> nl.routes().add(r))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("add route 10.78.0.0/24 via 10.77.0.2 table 254 proto 201")
                .hasMessageContaining("EEXIST")
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EEXIST));
        Route offLink = Route.unicast(Prefix.parse("10.79.0.0/24"), 254, PROTO, List.of(NextHop.via(ip("10.200.0.1"))));
        assertThatThrownBy(() -> nl.routes().add(offLink))
                .hasMessageContaining("add route 10.79.0.0/24 via 10.200.0.1")
                .hasMessageContaining("ENETUNREACH");
        assertThatThrownBy(() -> nl.links().require("nope0")).hasMessageContaining("find link nope0").hasMessageContaining("ENODEV");
    }

    @Test
    void multipathBlackholeAndUnreachable() {
        Route ecmp = Route.unicast(Prefix.parse("10.80.0.0/16"), 254, PROTO,
                List.of(NextHop.via(ip("10.77.0.2")), new NextHop(ip("10.77.0.3"), 0, 3)));
        nl.routes().replace(ecmp);
        String shown = a.exec("ip", "route", "show", "10.80.0.0/16");
        assertThat(shown).contains("proto 201").contains("nexthop via 10.77.0.2 dev d0 weight 1")
                .contains("nexthop via 10.77.0.3 dev d0 weight 3");
        Route back = nl.routes().dump(LibC.AF_INET, 254, PROTO).get(0);
        assertThat(back.nextHops()).extracting(NextHop::gateway, NextHop::weight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ip("10.77.0.2"), 1), org.assertj.core.groups.Tuple.tuple(ip("10.77.0.3"), 3));

        nl.routes().replace(Route.blackhole(Prefix.parse("10.81.0.0/24"), 254, PROTO));
        nl.routes().replace(Route.unreachable(Prefix.parse("10.82.0.0/24"), 254, PROTO));
        assertThat(a.exec("ip", "route", "show", "proto", "201")).contains("blackhole 10.81.0.0/24").contains("unreachable 10.82.0.0/24");
        assertThat(nl.routes().dump(LibC.AF_INET, 254, PROTO)).extracting(Route::type)
                .contains(RouteType.BLACKHOLE, RouteType.UNREACHABLE, RouteType.UNICAST);

        Route v6 = Route.unicast(Prefix.parse("2001:db8:80::/48"), 254, PROTO, List.of(NextHop.dev(nl.links().require("d0").index())));
        nl.routes().replace(v6);
        assertThat(a.exec("ip", "-6", "route", "show", "2001:db8:80::/48")).contains("dev d0 proto 201");
    }

    @Test
    void deleteWithOurProtocolNeverRemovesAnotherProtocolsRoute() {
        a.exec("ip", "route", "add", "10.83.0.0/24", "via", "10.77.0.2", "proto", "static");
        Route ours = Route.unicast(Prefix.parse("10.83.0.0/24"), 254, PROTO, List.of(NextHop.via(ip("10.77.0.2"))));
        assertThat(nl.routes().deleteIfPresent(ours)).isFalse();
        assertThat(a.exec("ip", "route", "show", "10.83.0.0/24")).contains("proto static");
    }

    @Test
    void batchesThousandsOfRoutesAndReportsEachFailure() {
        List<Route> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(Route.unicast(Prefix.parse("10.100." + (i / 256) + "." + (i % 256) + "/32"), 254, PROTO,
                    List.of(NextHop.via(ip("10.77.0.2")), NextHop.via(ip("10.77.0.3")))));
        }
        many.set(1234, Route.unicast(Prefix.parse("10.101.0.0/24"), 254, PROTO, List.of(NextHop.via(ip("10.201.0.1")))));
        List<NetlinkSocket.Failure> failures = nl.routes().apply(many, List.of());
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).index()).isEqualTo(1234);
        assertThat(failures.get(0).error()).hasMessageContaining("10.101.0.0/24 via 10.201.0.1").hasMessageContaining("ENETUNREACH");
        assertThat(nl.routes().dump(LibC.AF_INET, 254, PROTO)).hasSize(4999);

        List<NetlinkSocket.Failure> gone = nl.routes().apply(List.of(), many);
        assertThat(gone).isEmpty(); // the one that never existed is not an error
        assertThat(nl.routes().dump(LibC.AF_INET, 254, PROTO)).isEmpty();
    }

    /**
     * IFA_FLAGS: a deprecated address (preferred lifetime 0, RFC 4862 5.5.4) and one still under
     * duplicate address detection are told apart from a usable one, as the source picks of IPv6
     * masquerade need; before, Address had no flags.
     */
    @Test
    void addressFlagsTellDeprecatedAndTentativeIpv6AddressesFromUsableOnes() {
        a.exec("ip", "-6", "addr", "add", "fd00:77::1/64", "dev", "d0", "nodad");
        a.exec("ip", "-6", "addr", "add", "fd00:77::2/64", "dev", "d0", "nodad", "preferred_lft", "0");
        a.exec("sysctl", "-qw", "net.ipv6.conf.d0.dad_transmits=5");
        a.exec("ip", "-6", "addr", "add", "fd00:77::3/64", "dev", "d0");
        Link d0 = nl.links().require("d0");
        java.util.Map<String, Address> byAddr = new java.util.HashMap<>();
        for (Address x : nl.addresses().dump(LibC.AF_INET6, d0.index())) {
            byAddr.put(x.prefix().address().getHostAddress(), x);
        }
        Address usable = byAddr.get("fd00:77:0:0:0:0:0:1");
        Address deprecated = byAddr.get("fd00:77:0:0:0:0:0:2");
        Address tentative = byAddr.get("fd00:77:0:0:0:0:0:3");
        assertThat(usable).as(byAddr.toString()).isNotNull();
        assertThat(usable.deprecated() || usable.tentative() || usable.temporary() || usable.dadFailed()).isFalse();
        assertThat(usable.flags() & Address.F_NODAD).isNotZero();
        assertThat(usable.flags() & Address.F_PERMANENT).isNotZero();
        assertThat(deprecated.deprecated()).isTrue();
        assertThat(deprecated.tentative()).isFalse();
        assertThat(tentative.tentative()).as("DAD of 5 probes still running").isTrue();
        // IPv4's IFA_F_SECONDARY shares the temporary bit: an IPv4 address is never "temporary"
        nl.addresses().add(d0, Prefix.host("10.77.0.2/24"));
        assertThat(nl.addresses().dump(LibC.AF_INET, d0.index())).filteredOn(x -> x.prefix().equals(Prefix.host("10.77.0.2/24")))
                .singleElement().satisfies(x -> {
                    assertThat(x.flags() & Address.F_TEMPORARY).as("secondary").isNotZero();
                    assertThat(x.temporary()).isFalse();
                });
    }

    @Test
    void vethPeerInAnotherNamespaceRenameMoveAndDelete() {
        try (NetworkNamespace b = NetworkNamespace.create("nlb")) {
            int fd = Netns.open(Netns.named(b.name()));
            try {
                nl.links().createVeth("vh0", "eth7", fd, 1400);
            } finally {
                Netns.close(fd);
            }
            Link host = nl.links().require("vh0");
            assertThat(host.kind()).isEqualTo("veth");
            assertThat(host.mtu()).isEqualTo(1400);
            assertThat(b.exec("ip", "link", "show", "eth7")).contains("mtu 1400");
            nl.links().setUp(host, true);
            assertThat(nl.links().require("vh0").up()).isTrue();
            nl.links().setUp(nl.links().require("vh0"), false); // the kernel renames only a link that is down
            nl.links().rename(nl.links().require("vh0"), "vh1");
            assertThat(nl.links().byName("vh0")).isEmpty();
            Link renamed = nl.links().require("vh1");
            assertThat(nl.links().dump()).extracting(Link::name).contains("vh1", "d0", "lo");

            try (RtNetlink inB = RtNetlink.openIn(Netns.named(b.name()))) {
                Link eth7 = inB.links().require("eth7");
                inB.links().setUp(eth7, true);
                inB.addresses().add(eth7, Prefix.host("10.90.0.5/32"));
                assertThat(inB.addresses().dump(LibC.AF_INET, eth7.index())).extracting(Address::prefix)
                        .containsExactly(Prefix.host("10.90.0.5/32"));
                inB.neighbours().replacePermanent(eth7, ip("169.254.1.1"), renamed.mac());
                assertThat(b.exec("ip", "neigh", "show", "dev", "eth7")).contains("169.254.1.1 lladdr " + renamed.macString() + " PERMANENT");
                assertThat(inB.neighbours().dump(LibC.AF_INET, eth7.index())).extracting(Neighbour::address).contains(ip("169.254.1.1"));
                assertThat(inB.neighbours().deleteIfPresent(eth7, ip("169.254.1.1"))).isTrue();
                inB.addresses().delete(eth7, Prefix.host("10.90.0.5/32"));
                assertThat(inB.addresses().dump(LibC.AF_INET, eth7.index())).isEmpty();
            }

            try (NetworkNamespace c = NetworkNamespace.create("nlc")) {
                nl.links().createVeth("mv0", "mv0p", -1, 0);
                int cfd = Netns.open(Netns.named(c.name()));
                try {
                    nl.links().setNetns(nl.links().require("mv0"), cfd);
                } finally {
                    Netns.close(cfd);
                }
                assertThat(nl.links().byName("mv0")).isEmpty();
                assertThat(nl.links().byName("mv0p")).isPresent();
                assertThat(c.exec("ip", "link", "show", "mv0")).contains("mv0");
            }

            assertThat(nl.links().deleteIfPresent("vh1")).isTrue();
            assertThat(b.exec("ip", "-o", "link", "show")).doesNotContain("eth7"); // the peer went with it
            assertThat(nl.links().deleteIfPresent("vh1")).isFalse();
        }
    }

    @Test
    void unknownNamespaceIsNamed() {
        assertThatThrownBy(() -> RtNetlink.openIn(Netns.named("gt-no-such-ns-" + ProcessHandle.current().pid())))
                .hasMessageContaining("open network namespace /run/netns/gt-no-such-ns-").hasMessageContaining("ENOENT");
    }
}
