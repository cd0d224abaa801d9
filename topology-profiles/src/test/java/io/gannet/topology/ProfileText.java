package io.gannet.topology;

/** Builds small ebgp-leaf profile texts with N hosts for tests (one rack, two leaves). */
final class ProfileText {
    private ProfileText() {}

    static String leaf(String scheme, int hosts, String extraSpec) {
        StringBuilder b = new StringBuilder();
        b.append("""
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: generated}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: %s, base: 4200000001}
                  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
                  vipPool: [203.0.113.0/24]
                """.formatted(scheme));
        b.append(extraSpec);
        b.append("""
                  inventory:
                    racks: [{name: r1}]
                    switches:
                      - {name: leaf1, rack: r1, addresses: [10.0.0.1], asn: 4200100001}
                      - {name: leaf2, rack: r1, addresses: [10.0.0.2], asn: 4200100002}
                    hosts:
                """);
        for (int i = 1; i <= hosts; i++) {
            b.append("      - {name: n").append(i).append(", address: 10.0.").append(1 + i / 250).append('.').append(1 + i % 250)
                    .append(", rack: r1}\n");
        }
        return b.toString();
    }
}
