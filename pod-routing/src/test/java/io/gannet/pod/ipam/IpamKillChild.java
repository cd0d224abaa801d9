package io.gannet.pod.ipam;

import java.nio.file.Path;

/** Child process of {@link IpamKillTest}: allocates and releases until killed, printing each acknowledged step. */
public final class IpamKillChild {
    public static void main(String[] args) {
        try (NodeIpam ipam = NodeIpam.open(NodeIpam.Options.of(Path.of(args[0]), IpBlock.parse(args[1])))) {
            String prefix = args[2];
            for (int i = 0; ; i++) {
                String id = prefix + i;
                Assignment a = ipam.allocate(AllocationRequest.of(id, "eth0", "ns", "p" + i));
                System.out.println("A " + id + " " + IpBlock.format(a.address()));
                if (i % 2 == 1) {
                    ipam.release(prefix + (i - 1), "eth0");
                    System.out.println("R " + prefix + (i - 1));
                }
                System.out.flush();
            }
        }
    }
}
