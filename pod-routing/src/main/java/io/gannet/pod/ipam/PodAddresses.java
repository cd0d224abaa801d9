package io.gannet.pod.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A pod's addresses across the node's blocks: one {@link NodeIpam} per block, IPv4 first (one
 * block: a single-stack node; two: dual-stack). Every attachment holds one address of each
 * block or none, whether the CNI plugin or the control API ({@code POST /v1/ipam/allocate})
 * asked for it.
 */
public final class PodAddresses {
    private final List<NodeIpam> ipams;

    public PodAddresses(List<NodeIpam> ipams) {
        if (ipams.isEmpty()) {
            throw new IllegalArgumentException("the node has no pod address block");
        }
        this.ipams = List.copyOf(ipams);
    }

    /**
     * One address from each block, IPv4 first. A StatefulSet pod's fixed-IP key goes to every
     * block whose family has a fixed-IP pool (a dual-stack pod with a pool of each family gets
     * a fixed IPv4 and a fixed IPv6 address), and the other blocks give a block address; with
     * no pool at all, to the first block, which refuses it by name. When one block cannot give
     * an address, the ones already given are released and the error (the block's reason)
     * names the block.
     */
    public List<Assignment> allocate(AllocationRequest request) {
        List<Assignment> out = new ArrayList<>();
        boolean anyPool = ipams.stream().anyMatch(NodeIpam::hasFixedIps);
        for (NodeIpam ipam : ipams) {
            boolean fixedHere = anyPool ? ipam.hasFixedIps() : ipam == ipams.get(0);
            AllocationRequest r = fixedHere ? request : new AllocationRequest(request.containerId(), request.ifName(),
                    request.podNamespace(), request.podName(), Optional.empty());
            try {
                out.add(ipam.allocate(r));
            } catch (IpamException e) {
                release(request.containerId(), request.ifName());
                throw new IpamException(e.reason(), "no address in " + ipam.block() + " for container " + request.containerId()
                        + ": " + e.getMessage() + (out.isEmpty() ? "" : "; " + cidrs(out) + " released again"), e);
            } catch (IllegalArgumentException e) {
                release(request.containerId(), request.ifName());
                throw new IpamException(IpamException.Reason.BAD_REQUEST, e.getMessage(), e);
            }
        }
        return out;
    }

    /** Releases the attachment's address in every block (those it holds none in are skipped); what was released. */
    public List<Assignment> release(String containerId, String ifName) {
        List<Assignment> released = new ArrayList<>();
        for (NodeIpam ipam : ipams) {
            ipam.release(containerId, ifName).ifPresent(released::add);
        }
        return released;
    }

    /** The addresses the blocks hold for an attachment (one the registry does not know: an ADD cut short). */
    public List<InetAddress> held(String containerId, String ifName) {
        List<InetAddress> out = new ArrayList<>();
        for (NodeIpam ipam : ipams) {
            ipam.lookup(containerId, ifName).ifPresent(a -> out.add(a.address()));
        }
        return out;
    }

    /** Releases every pod address (not operator reservations) whose attachment {@code keep} rejects; reports each. */
    public int releaseUnless(Predicate<String> keep, BiConsumer<Assignment, String> released) {
        int n = 0;
        for (NodeIpam ipam : ipams) {
            for (Assignment a : ipam.list()) {
                if (a.kind() != Assignment.Kind.RESERVED && !keep.test(a.containerId() + "/" + a.ifName())) {
                    ipam.release(a.containerId(), a.ifName());
                    released.accept(a, a.cidr());
                    n++;
                }
            }
        }
        return n;
    }

    /** The blocks without a free address, each with its use; empty when a pod can be added. */
    public List<String> full() {
        List<String> out = new ArrayList<>();
        for (NodeIpam ipam : ipams) {
            BlockUsage u = ipam.usage();
            if (u.free() == 0) {
                out.add(u.block() + " (" + u.podsInBlock() + " pods, " + u.reserved() + " reserved)");
            }
        }
        return out;
    }

    /**
     * The IPAM an operator's reserve or release of {@code address} goes to (they name the address
     * only): the one holding it (a fixed IP lies outside the block), else the block containing it.
     */
    public Optional<NodeIpam> blockOf(InetAddress address) {
        return ipams.stream().filter(i -> i.lookup(address).isPresent()).findFirst()
                .or(() -> ipams.stream().filter(i -> i.block().contains(address)).findFirst());
    }

    public static String cidrs(List<Assignment> assigned) {
        return String.join(", ", assigned.stream().map(Assignment::cidr).toList());
    }
}
