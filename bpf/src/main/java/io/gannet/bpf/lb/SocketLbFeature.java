package io.gannet.bpf.lb;

import io.gannet.bpf.libbpf.BpfException;
import io.gannet.bpf.libbpf.BpfObject;
import io.gannet.bpf.libbpf.CgroupLink;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.maps.Layout;
import io.gannet.bpf.maps.TypedMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Socket-level load balancing for the node's own processes (bpf_sock.c): the cgroup
 * sock_addr programs, attached through bpf links pinned under {@code PIN_ROOT/v2/links/}, and
 * the namespace whose sockets they translate (the datapath's, by cookie, in dp_sock_netns).
 * The frontends are the Service datapath's own (dp_svc4, dp_svc6): nothing to program here per
 * Service. IPv6 sockets reach IPv6 frontends, and IPv4 frontends through their IPv4-mapped
 * addresses (::ffff:a.b.c.d) when the socket is not IPV6_V6ONLY.
 *
 * <p>An upgrade from an agent with the IPv4 hooks only attaches the IPv6 ones beside the links it
 * pinned (whose programs are replaced in place) and creates dp_sock_revnat6 empty.
 *
 * <p>Threads: synchronized; {@link io.gannet.bpf.Datapath} hands it out.
 */
public final class SocketLbFeature {
    /** A program and its enum bpf_attach_type. */
    public record Hook(String program, int attachType) {}

    public static final List<Hook> HOOKS = List.of(new Hook("sock_connect4", 10 /* BPF_CGROUP_INET4_CONNECT */),
            new Hook("sock_sendmsg4", 14 /* BPF_CGROUP_UDP4_SENDMSG */),
            new Hook("sock_recvmsg4", 19 /* BPF_CGROUP_UDP4_RECVMSG */),
            new Hook("sock_getpeername4", 29 /* BPF_CGROUP_INET4_GETPEERNAME */),
            new Hook("sock_connect6", 11 /* BPF_CGROUP_INET6_CONNECT */),
            new Hook("sock_sendmsg6", 15 /* BPF_CGROUP_UDP6_SENDMSG */),
            new Hook("sock_recvmsg6", 20 /* BPF_CGROUP_UDP6_RECVMSG */),
            new Hook("sock_getpeername6", 30 /* BPF_CGROUP_INET6_GETPEERNAME */));

    private final BpfObject sock;
    private final Path linksDir;
    private final String netns;
    private final TypedMap<Integer, Long> netnsMap;

    /**
     * @param netns the datapath's network namespace (null: the caller's), whose sockets are translated
     */
    public SocketLbFeature(BpfObject sock, Path linksDir, String netns) {
        this.sock = sock;
        this.linksDir = linksDir;
        this.netns = netns;
        this.netnsMap = new TypedMap<>(sock.map("dp_sock_netns"), Layout.U32, Layout.U64);
    }

    /**
     * Attaches the hooks to a cgroup v2 directory (processes in it and below are served), or
     * replaces the programs of links an earlier run pinned there; links on another cgroup are
     * moved. Sockets of the datapath's namespace only are translated.
     */
    public synchronized void attach(Path cgroup) {
        attach(cgroup, netns);
    }

    /** As {@link #attach(Path)}, translating the sockets of another namespace ({@code namespace}; null: the caller's). */
    public synchronized void attach(Path cgroup, String namespace) {
        netnsMap.put(0, Netns.call(namespace, io.gannet.linux.Netns::cookieHere));
        try {
            Files.createDirectories(linksDir);
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "create " + linksDir, 0, e.toString());
        }
        for (Hook h : HOOKS) {
            CgroupLink.attach(sock.program(h.program()), h.attachType(), cgroup, linksDir.resolve(h.program()));
        }
    }

    /** Detaches every hook this pin root holds; the number detached. */
    public synchronized int detach() {
        int n = 0;
        for (Hook h : HOOKS) {
            n += CgroupLink.detach(linksDir.resolve(h.program())) ? 1 : 0;
        }
        netnsMap.put(0, 0L);
        return n;
    }

    /** True when every hook is attached to {@code cgroup}. */
    public synchronized boolean attachedTo(Path cgroup) {
        long id = CgroupLink.cgroupId(cgroup);
        for (Hook h : HOOKS) {
            if (CgroupLink.attachedCgroupId(linksDir.resolve(h.program())) != id) {
                return false;
            }
        }
        return true;
    }
}
