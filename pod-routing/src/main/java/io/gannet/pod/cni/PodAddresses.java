package io.gannet.pod.cni;

import io.gannet.pod.ipam.AllocationRequest;
import io.gannet.pod.ipam.Assignment;
import io.gannet.pod.ipam.BlockUsage;
import io.gannet.pod.ipam.IpamException;
import io.gannet.pod.ipam.NodeIpam;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A pod's addresses across the node's blocks: one {@link NodeIpam} per block, IPv4 first (one
 * block: a single-stack node; two: dual-stack). Every attachment holds one address of each
 * block or none. Called on the CNI worker.
 */
final class PodAddresses {
    private final List<NodeIpam> ipams;

    PodAddresses(List<NodeIpam> ipams) {
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
     * an address, the ones already given are released and the error names the block.
     */
    List<Assignment> allocate(AllocationRequest request) {
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
                boolean bad = e.reason() == IpamException.Reason.BAD_REQUEST;
                throw new CniError(bad ? CniError.INVALID_ENVIRONMENT : CniError.NO_ADDRESS, "no address in " + ipam.block()
                        + " for container " + request.containerId() + ": " + e.getMessage()
                        + (out.isEmpty() ? "" : "; " + cidrs(out) + " released again"));
            } catch (IllegalArgumentException e) {
                release(request.containerId(), request.ifName());
                throw new CniError(CniError.INVALID_ENVIRONMENT, e.getMessage());
            }
        }
        return out;
    }

    /** Releases the attachment's address in every block (those it holds none in are skipped); what was released. */
    List<Assignment> release(String containerId, String ifName) {
        List<Assignment> released = new ArrayList<>();
        for (NodeIpam ipam : ipams) {
            ipam.release(containerId, ifName).ifPresent(released::add);
        }
        return released;
    }

    /** The addresses the blocks hold for an attachment (one the registry does not know: an ADD cut short). */
    List<InetAddress> held(String containerId, String ifName) {
        List<InetAddress> out = new ArrayList<>();
        for (NodeIpam ipam : ipams) {
            ipam.lookup(containerId, ifName).ifPresent(a -> out.add(a.address()));
        }
        return out;
    }

    /** Releases every pod address (not operator reservations) whose attachment {@code keep} rejects; reports each. */
    int releaseUnless(Predicate<String> keep, BiConsumer<Assignment, String> released) {
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
    List<String> full() {
        List<String> out = new ArrayList<>();
        for (NodeIpam ipam : ipams) {
            BlockUsage u = ipam.usage();
            if (u.free() == 0) {
                out.add(u.block() + " (" + u.podsInBlock() + " pods, " + u.reserved() + " reserved)");
            }
        }
        return out;
    }

    static String cidrs(List<Assignment> assigned) {
        return String.join(", ", assigned.stream().map(Assignment::cidr).toList());
    }
}
