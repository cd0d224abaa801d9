/**
 * rtnetlink (NETLINK_ROUTE, rtnetlink(7)) spoken from Java: routes (add, replace, delete,
 * dump; protocol number; RTA_MULTIPATH; blackhole and unreachable), links (veth pairs, moving
 * a link into a namespace by fd, up, rename, delete, dump), addresses and neighbours.
 *
 * <p>Layers: {@link io.gannet.linux.netlink.NlWriter} lays out {@code nlmsghdr} + family
 * header + {@code rtattr}s in one reused direct buffer; {@link io.gannet.linux.netlink.NlReader}
 * walks received messages; {@link io.gannet.linux.netlink.NetlinkSocket} owns the fd, sequence
 * numbers, acknowledgements and dumps; {@link io.gannet.linux.netlink.Routes}, {@link
 * io.gannet.linux.netlink.Links}, {@link io.gannet.linux.netlink.Addresses} and {@link
 * io.gannet.linux.netlink.Neighbours} encode and decode one object kind each. Failures are
 * {@link io.gannet.linux.netlink.NetlinkException}s naming the object ({@code add route
 * 10.1.0.0/24 via 10.0.0.1 dev eth0 table 254 proto 201: EEXIST (File exists)}) plus the
 * kernel's extended ack text when it gives one.
 *
 * <p>Batches: {@link io.gannet.linux.netlink.Routes#apply} sends many requests in one
 * datagram without per-message acknowledgements (the kernel acknowledges errors anyway) and
 * one acknowledged request at the end, so 100,000 routes need ~150 system calls.
 *
 * <p>Threads: a {@link io.gannet.linux.netlink.NetlinkSocket} is synchronized; its owner is
 * normally one thread (the route installer, the CNI worker). Messages are in host byte order
 * except addresses, which are network order, as the kernel expects.
 */
package io.gannet.linux.netlink;
