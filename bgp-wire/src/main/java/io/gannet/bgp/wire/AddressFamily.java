package io.gannet.bgp.wire;

/**
 * An (AFI, SAFI) pair as carried in the Multiprotocol capability and MP_REACH/MP_UNREACH
 * (RFC 4760 section 3). Values are the IANA numbers.
 */
public record AddressFamily(int afi, int safi) {
    public static final int AFI_IPV4 = 1;
    public static final int AFI_IPV6 = 2;
    public static final int SAFI_UNICAST = 1;

    public static final AddressFamily IPV4_UNICAST = new AddressFamily(AFI_IPV4, SAFI_UNICAST);
    public static final AddressFamily IPV6_UNICAST = new AddressFamily(AFI_IPV6, SAFI_UNICAST);

    public boolean isIpv4() {
        return afi == AFI_IPV4;
    }

    @Override
    public String toString() {
        if (equals(IPV4_UNICAST)) {
            return "ipv4-unicast";
        }
        if (equals(IPV6_UNICAST)) {
            return "ipv6-unicast";
        }
        return "afi" + afi + "/safi" + safi;
    }
}
