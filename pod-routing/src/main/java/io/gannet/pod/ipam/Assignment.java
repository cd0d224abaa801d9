package io.gannet.pod.ipam;

import java.net.InetAddress;
import java.util.Optional;

/**
 * One address held by one pod attachment: what a CNI result reports ({@code address/prefixLength},
 * gateway) and who holds it.
 *
 * <p>A block address has the block's prefix length; a fixed IP (StatefulSet pod) has a host
 * prefix length (32 or 128) and the block's gateway, reached on-link.
 *
 * @param kind {@link Kind#POD} from the block, {@link Kind#FIXED} from the fixed-IP pool,
 *     {@link Kind#RESERVED} held by an operator ({@code gannet ipam reserve}); a reserved
 *     entry's container id is {@code "reserved"} and its pod name the operator's note
 */
public record Assignment(InetAddress address, int prefixLength, InetAddress gateway, Kind kind,
                         String containerId, String ifName, String podNamespace, String podName,
                         Optional<FixedIpKey> fixedIp, long allocatedAtMillis) {
    public enum Kind { POD, FIXED, RESERVED }

    /** {@code address/prefixLength} as CNI results write it. */
    public String cidr() {
        return IpBlock.format(address) + "/" + prefixLength;
    }
}
