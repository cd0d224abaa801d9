package io.gannet.pod.ipam;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pod IPAM: hands out addresses of the node's block to pod attachments, locally,
 * with no store round trip per pod; persisted in {@code <state-dir>/ipam/<block>.journal} so a
 * restarted daemon never hands out an address twice.
 *
 * <p>Rules: the network address, the gateway (the block's first host address) and, for IPv4,
 * the broadcast address are never handed out. Addresses are taken next-fit (the search starts
 * after the last address handed out), so a just-released address is not reused at once while
 * the old pod's neighbours may still cache it. An attachment is identified as in CNI by
 * container id and interface name: a repeated ADD returns the same assignment; release is
 * idempotent. A StatefulSet pod with a fixed-IP key gets its address from the cluster's
 * fixed-IP pool through {@link FixedIpClaims}, as a host address (/32, /128).
 *
 * <p>Threads: any thread may call; one lock guards the state and the journal. Only
 * {@link FixedIpClaims} calls (a store round trip) run outside the lock.
 */
public final class NodeIpam implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeIpam.class);
    private static final String RESERVED_CONTAINER = "reserved";

    /** How a node IPAM is set up. {@code fsync}: force each record to disk (survives power loss). */
    public record Options(Path stateDir, IpBlock block, FixedIpClaims fixedIps, Clock clock, boolean fsync) {
        public static Options of(Path stateDir, IpBlock block) {
            return new Options(stateDir, block, FixedIpClaims.NONE, Clock.systemUTC(), false);
        }

        public Options withFixedIps(FixedIpClaims claims) {
            return new Options(stateDir, block, claims, clock, fsync);
        }

        public Options withClock(Clock c) {
            return new Options(stateDir, block, fixedIps, c, fsync);
        }

        public Options withFsync(boolean f) {
            return new Options(stateDir, block, fixedIps, clock, f);
        }
    }

    private final IpBlock block;
    private final FixedIpClaims fixedIps;
    private final Clock clock;
    private final Path file;
    private final IpamJournal journal;
    private final BitSet used = new BitSet();
    private final Map<String, Assignment> byAttachment = new HashMap<>();
    private final Map<InetAddress, Assignment> byAddress = new LinkedHashMap<>();
    private int cursor;

    private NodeIpam(Options o, List<Assignment> loaded, IpamJournal journal, Path file) {
        this.block = o.block();
        this.fixedIps = o.fixedIps();
        this.clock = o.clock();
        this.journal = journal;
        this.file = file;
        this.cursor = block.firstUsable();
        for (Assignment a : loaded) {
            put(a);
            if (a.kind() != Assignment.Kind.FIXED) {
                cursor = Math.max(cursor, block.offsetOf(a.address()) + 1);
            }
        }
    }

    /** Opens (or creates) the node IPAM for {@code block}; a damaged file is a clear {@link IpamException}. */
    public static NodeIpam open(Options o) {
        Path file = o.stateDir().resolve("ipam").resolve(fileName(o.block()));
        List<Assignment> loaded = new ArrayList<>();
        IpamJournal j = IpamJournal.open(file, o.block(), o.fsync(), loaded);
        NodeIpam ipam = new NodeIpam(o, loaded, j, file);
        LOG.info("ipam: block {} opened from {}: {} addresses held", o.block(), file, loaded.size());
        return ipam;
    }

    static String fileName(IpBlock b) {
        return b.toString().replace('/', '_').replace(':', '-') + ".journal";
    }

    public IpBlock block() {
        return block;
    }

    /** Whether this block's StatefulSet pods get fixed IPs (a fixed-IP pool of the block's family is configured). */
    public boolean hasFixedIps() {
        return fixedIps != FixedIpClaims.NONE;
    }

    public Path file() {
        return file;
    }

    /**
     * Gives the attachment an address: the same one again when it already has one (a retried
     * CNI ADD), else the next free address of the block, or its fixed IP when the request
     * carries a key.
     *
     * @throws IpamException EXHAUSTED when the block has no free address, FIXED_IP_UNAVAILABLE
     *     when the fixed-IP pool refuses
     */
    public Assignment allocate(AllocationRequest r) {
        String id = attachment(r.containerId(), r.ifName());
        if (r.fixedIp().isPresent()) {
            synchronized (this) {
                Assignment existing = byAttachment.get(id);
                if (existing != null) {
                    return existing;
                }
            }
            FixedIpKey key = r.fixedIp().get();
            InetAddress address = fixedIps.claim(key);
            if (block.contains(address)) {
                throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE, "fixed IP " + IpBlock.format(address) + " of " + key
                        + " lies inside this node's block " + block + "; the fixed-IP pool must not overlap the PodCIDR pool");
            }
            synchronized (this) {
                Assignment existing = byAttachment.get(id);
                if (existing != null) {
                    return existing;
                }
                Assignment previous = byAddress.get(address);
                if (previous != null) {
                    // The pod was recreated here before its old sandbox was deleted: the new one takes over.
                    LOG.info("ipam: fixed IP {} of {} moves from container {} to {} on this node", IpBlock.format(address), key,
                            previous.containerId(), r.containerId());
                    journal.appendRelease(address);
                    remove(previous);
                }
                Assignment a = new Assignment(address, block.hostLength(), block.gateway(), Assignment.Kind.FIXED, r.containerId(), r.ifName(),
                        r.podNamespace(), r.podName(), r.fixedIp(), clock.millis());
                journal.appendAssign(a);
                put(a);
                return a;
            }
        }
        synchronized (this) {
            Assignment existing = byAttachment.get(id);
            if (existing != null) {
                return existing;
            }
            int offset = nextFree();
            if (offset < 0) {
                throw new IpamException(IpamException.Reason.EXHAUSTED, "no free address left in block " + block + " ("
                        + usableCount() + " usable, all held); pod " + podText(r) + " gets none");
            }
            Assignment a = new Assignment(block.address(offset), block.prefixLength(), block.gateway(), Assignment.Kind.POD,
                    r.containerId(), r.ifName(), r.podNamespace(), r.podName(), Optional.empty(), clock.millis());
            journal.appendAssign(a);
            put(a);
            cursor = offset + 1;
            maybeCompact();
            return a;
        }
    }

    /** Releases whatever the attachment holds; empty when it holds nothing (a repeated CNI DEL). */
    public Optional<Assignment> release(String containerId, String ifName) {
        Assignment a;
        synchronized (this) {
            a = byAttachment.get(attachment(containerId, ifName));
            if (a == null) {
                return Optional.empty();
            }
            journal.appendRelease(a.address());
            remove(a);
            maybeCompact();
        }
        if (a.kind() == Assignment.Kind.FIXED) {
            fixedIps.vacate(a.fixedIp().orElseThrow(), a.address());
        }
        return Optional.of(a);
    }

    /** Operator release of one address, whoever holds it ({@code gannet ipam release}). */
    public Optional<Assignment> releaseAddress(InetAddress address) {
        Assignment a;
        synchronized (this) {
            a = byAddress.get(address);
            if (a == null) {
                return Optional.empty();
            }
            journal.appendRelease(address);
            remove(a);
        }
        if (a.kind() == Assignment.Kind.FIXED) {
            fixedIps.vacate(a.fixedIp().orElseThrow(), a.address());
        }
        return Optional.of(a);
    }

    /**
     * Operator reservation of one block address so no pod gets it ({@code gannet ipam reserve}).
     *
     * @throws IpamException NOT_IN_RANGE outside the usable block, IN_USE when held
     */
    public synchronized Assignment reserve(InetAddress address, String note) {
        int off = block.offsetOf(address);
        if (off < 0) {
            throw new IpamException(IpamException.Reason.NOT_IN_RANGE, IpBlock.format(address) + " is not in this node's block " + block);
        }
        if (off < block.firstUsable() || off > block.lastUsable()) {
            throw new IpamException(IpamException.Reason.NOT_IN_RANGE, IpBlock.format(address)
                    + " is the network, gateway or broadcast address of block " + block + " and is never handed out anyway");
        }
        Assignment held = byAddress.get(address);
        if (held != null) {
            if (held.kind() == Assignment.Kind.RESERVED) {
                return held;
            }
            throw new IpamException(IpamException.Reason.IN_USE, IpBlock.format(address) + " is held by pod " + held.podNamespace() + "/"
                    + held.podName() + " (container " + held.containerId() + "); release it first");
        }
        String n = note == null || note.isBlank() ? "operator" : Fields.text("note", note);
        Assignment a = new Assignment(address, block.prefixLength(), block.gateway(), Assignment.Kind.RESERVED, RESERVED_CONTAINER,
                "op-" + off, "", n, Optional.empty(), clock.millis());
        journal.appendAssign(a);
        put(a);
        return a;
    }

    public synchronized Optional<Assignment> lookup(String containerId, String ifName) {
        return Optional.ofNullable(byAttachment.get(attachment(containerId, ifName)));
    }

    public synchronized Optional<Assignment> lookup(InetAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /** Every held address, block addresses in address order, then fixed IPs. */
    public synchronized List<Assignment> list() {
        List<Assignment> out = new ArrayList<>(byAddress.values());
        out.sort(Comparator.comparing((Assignment a) -> a.kind() == Assignment.Kind.FIXED)
                .thenComparing(a -> new java.math.BigInteger(1, a.address().getAddress())));
        return out;
    }

    public synchronized BlockUsage usage() {
        int pods = 0;
        int reserved = 0;
        int fixed = 0;
        for (Assignment a : byAddress.values()) {
            switch (a.kind()) {
                case POD -> pods++;
                case RESERVED -> reserved++;
                case FIXED -> fixed++;
            }
        }
        int usable = usableCount();
        return new BlockUsage(block, block.gateway(), usable, pods, reserved, usable - pods - reserved, fixed);
    }

    private int usableCount() {
        return block.lastUsable() - block.firstUsable() + 1;
    }

    private int nextFree() {
        int first = block.firstUsable();
        int last = block.lastUsable();
        int from = cursor > last || cursor < first ? first : cursor;
        int o = used.nextClearBit(from);
        if (o <= last) {
            return o;
        }
        o = used.nextClearBit(first);
        return o <= last ? o : -1;
    }

    private void put(Assignment a) {
        byAddress.put(a.address(), a);
        if (a.kind() != Assignment.Kind.RESERVED) {
            byAttachment.put(attachment(a.containerId(), a.ifName()), a);
        }
        if (a.kind() != Assignment.Kind.FIXED) {
            used.set(block.offsetOf(a.address()));
        }
    }

    private void remove(Assignment a) {
        byAddress.remove(a.address());
        if (a.kind() != Assignment.Kind.RESERVED) {
            byAttachment.remove(attachment(a.containerId(), a.ifName()));
        }
        if (a.kind() != Assignment.Kind.FIXED) {
            used.clear(block.offsetOf(a.address()));
        }
    }

    private void maybeCompact() {
        if (journal.records() > 4L * byAddress.size() + 4096) {
            journal.compact(block, byAddress.values());
        }
    }

    private static String attachment(String containerId, String ifName) {
        return containerId + '\u0000' + ifName;
    }

    private static String podText(AllocationRequest r) {
        return r.podName().isEmpty() ? "in container " + r.containerId() : r.podNamespace() + "/" + r.podName();
    }

    @Override
    public synchronized void close() {
        journal.close();
    }
}
