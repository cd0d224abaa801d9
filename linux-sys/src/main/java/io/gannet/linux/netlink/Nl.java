package io.gannet.linux.netlink;

/** Constants of linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/neighbour.h. */
public final class Nl {
    private Nl() {}

    public static final int HDRLEN = 16;

    // nlmsghdr types
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    // nlmsghdr flags
    public static final int F_REQUEST = 0x1;
    public static final int F_MULTI = 0x2;
    public static final int F_ACK = 0x4;
    public static final int F_DUMP_INTR = 0x10;
    public static final int F_DUMP = 0x300;
    public static final int F_REPLACE = 0x100;
    public static final int F_EXCL = 0x200;
    public static final int F_CREATE = 0x400;
    public static final int F_APPEND = 0x800;
    public static final int F_CAPPED = 0x100;
    public static final int F_ACK_TLVS = 0x200;
    public static final int NLMSGERR_ATTR_MSG = 1;

    // rtmsg
    public static final int RTMSG_LEN = 12;
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;
    public static final int RTM_F_CLONED = 0x200;
    public static final int RTA_DST = 1;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_TABLE = 15;
    /** struct rtvia {u16 family; address}: a gateway of another family than the route (IPv4 via IPv6, RFC 8950). */
    public static final int RTA_VIA = 18;
    public static final int RTNH_LEN = 8;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    // ifinfomsg
    public static final int IFINFOMSG_LEN = 16;
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOWER_UP = 0x10000;
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int VETH_INFO_PEER = 1;

    // ifaddrmsg
    public static final int IFADDRMSG_LEN = 8;
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    /** u32: the address's IFA_F_* flags, all of them (linux/if_addr.h). */
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_NODAD = 0x02;

    // ndmsg
    public static final int NDMSG_LEN = 12;
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NUD_PERMANENT = 0x80;
    public static final int NLA_F_NESTED = 0x8000;

    static int align(int n) {
        return (n + 3) & ~3;
    }
}
