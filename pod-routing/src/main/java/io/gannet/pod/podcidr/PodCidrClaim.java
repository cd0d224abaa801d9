package io.gannet.pod.podcidr;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.alloc.PoolAllocator;
import io.gannet.pod.ipam.IpBlock;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's PodCIDR as the cluster agrees on it: a block of the profile's pool held in the
 * store ({@code /gannet/podcidr/<pool>/...}, through {@link PoolAllocator}), either the one the
 * profile pins for this host or one the store hands out.
 *
 * <p>Lifetime: a handed-out block is bound to this node's lease (the TTL the profile gives, or
 * pinned with no lease) and comes back to the same node after a restart: the store still has
 * it (restart within the TTL or pinned), or the block cached in {@code <state-dir>/podcidr} is
 * asked for first. A node that cannot reach the store starts with its cached block and keeps
 * routing; {@link #reconcile()} claims it in the store once the store answers. Blocks of hosts
 * that left the profile are released by {@link #releaseHostsNotIn}.
 *
 * <p>Threads: not thread safe; the daemon calls it from start-up and reload.
 */
public final class PodCidrClaim implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodCidrClaim.class);

    /**
     * @param pool        the profile's podCIDRPool.cidr
     * @param blockLength podCIDRPool.prefixLength
     * @param node        this host's name
     * @param explicit    this host's podCIDR from the profile, if pinned there
     * @param othersExplicit PodCIDRs the profile pins for other hosts: never handed out here
     * @param leaseTtl    empty: pinned (the block stays until the host leaves the profile)
     */
    public record Settings(IpBlock pool, int blockLength, String node, Optional<IpBlock> explicit, Set<IpBlock> othersExplicit,
                           Optional<Duration> leaseTtl, Path stateDir) {}

    private final ClusterStore store;
    private final Settings settings;
    private final PoolAllocator allocator;
    private final Path cache;
    private ClusterStore.Lease lease;
    private IpBlock block;
    private boolean confirmed;
    private int transactions;

    private PodCidrClaim(ClusterStore store, Settings s) {
        this.store = store;
        this.settings = s;
        int shift = s.blockLength() - s.pool().prefixLength();
        if (shift < 0 || shift > 30) {
            throw new IllegalArgumentException("pool " + s.pool() + " cannot hold /" + s.blockLength() + " blocks");
        }
        this.allocator = new PoolAllocator(store, "/gannet/podcidr/" + s.pool().toString().replace('/', '_'), 1L << shift);
        this.cache = s.stateDir().resolve("podcidr");
    }

    /**
     * Claims the node's block: in the store when it answers, else from the cache (empty when the
     * store is unreachable and nothing is cached: the node cannot know its block).
     *
     * @throws StoreException BAD_REQUEST when the pool is exhausted or the pinned block is held by
     *     another node; CORRUPT for garbage in the store
     */
    public static PodCidrClaim start(ClusterStore store, Settings s) {
        PodCidrClaim c = new PodCidrClaim(store, s);
        try {
            c.reconcile();
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.UNAVAILABLE) {
                throw e;
            }
            Optional<IpBlock> cached = c.readCache();
            if (s.explicit().isPresent()) {
                c.block = s.explicit().get();
            } else if (cached.isPresent()) {
                c.block = cached.get();
            } else {
                throw new StoreException(StoreException.Reason.UNAVAILABLE, "node " + s.node() + " has no PodCIDR yet and the store is unreachable: "
                        + e.getMessage());
            }
            LOG.warn("podcidr: store unreachable ({}); routing with {} block {} until it answers", e.getMessage(),
                    s.explicit().isPresent() ? "the profile's" : "the cached", c.block);
        }
        return c;
    }

    /** Claims (or confirms) the block in the store; idempotent. Returns the block. */
    public IpBlock reconcile() {
        if (lease == null && settings.leaseTtl().isPresent()) {
            lease = store.grantLease(settings.leaseTtl().get());
        }
        long leaseId = lease == null ? 0 : lease.id();
        List<Long> others = new ArrayList<>();
        for (IpBlock b : settings.othersExplicit()) {
            long i = indexOf(b);
            if (i >= 0) {
                others.add(i);
            }
        }
        PoolAllocator.Claim claim;
        if (settings.explicit().isPresent()) {
            long want = indexOf(settings.explicit().get());
            if (want < 0) {
                throw new StoreException(StoreException.Reason.BAD_REQUEST, "podCIDR " + settings.explicit().get() + " of " + settings.node()
                        + " is not a /" + settings.blockLength() + " of pool " + settings.pool());
            }
            Optional<Long> mine = allocator.find(settings.node());
            if (mine.isPresent() && mine.get() != want) {
                // the profile now pins a different block: give the old one back first
                allocator.release(settings.node());
            }
            claim = allocator.claim(settings.node(), want, 0, i -> i != want);
            if (claim.index() != want) {
                throw new StoreException(StoreException.Reason.BAD_REQUEST, "podCIDR " + settings.explicit().get() + " of " + settings.node()
                        + " is held in the store by another node");
            }
        } else {
            long preferred = readCache().map(this::indexOf).orElse(-1L);
            claim = allocator.claim(settings.node(), preferred, leaseId, others::contains);
        }
        transactions += claim.transactions();
        IpBlock got = blockAt(claim.index());
        if (block != null && !block.equals(got)) {
            LOG.error("podcidr: node {} routed {} while the store was away, but the store now gives it {}; restart the node to move its pods",
                    settings.node(), block, got);
        } else {
            block = got;
        }
        confirmed = true;
        writeCache(block);
        return block;
    }

    public IpBlock block() {
        return block;
    }

    /** True once the store has confirmed the block (false while running on the cache). */
    public boolean confirmed() {
        return confirmed;
    }

    public int transactions() {
        return transactions;
    }

    /** Releases the blocks of {@code hosts} (which left the profile); returns those that held one. */
    public List<String> releaseHosts(java.util.Collection<String> hosts) {
        List<String> gone = new ArrayList<>();
        for (String h : hosts) {
            Optional<Long> idx = allocator.find(h);
            if (idx.isPresent() && allocator.release(h)) {
                gone.add(h);
                LOG.info("podcidr: released {} of {}, which left the profile", blockAt(idx.get()), h);
            }
        }
        return gone;
    }

    /**
     * Releases the blocks of every owner not in {@code hosts}. Only for an operator who knows the
     * profile is the newest everywhere: a node still on an older profile would free the blocks
     * of hosts added since; the daemon uses {@link #releaseHosts} with the hosts a reload removed.
     */
    public List<String> releaseHostsNotIn(Set<String> hosts) {
        List<String> gone = new ArrayList<>();
        allocator.owners().forEach((owner, idx) -> {
            if (!hosts.contains(owner) && allocator.release(owner)) {
                gone.add(owner);
                LOG.info("podcidr: released {} of {}, which left the profile", blockAt(idx), owner);
            }
        });
        return gone;
    }

    private long indexOf(IpBlock b) {
        if (b.prefixLength() != settings.blockLength() || !settings.pool().contains(b.network()) || b.isIpv4() != settings.pool().isIpv4()) {
            return -1;
        }
        BigInteger d = new BigInteger(1, b.network().getAddress()).subtract(new BigInteger(1, settings.pool().network().getAddress()));
        return d.shiftRight(b.bits() - settings.blockLength()).longValueExact();
    }

    private IpBlock blockAt(long index) {
        int bits = settings.pool().bits();
        BigInteger base = new BigInteger(1, settings.pool().network().getAddress());
        BigInteger v = base.add(BigInteger.valueOf(index).shiftLeft(bits - settings.blockLength()));
        byte[] raw = v.toByteArray();
        byte[] b = new byte[bits / 8];
        System.arraycopy(raw, Math.max(0, raw.length - b.length), b, Math.max(0, b.length - raw.length), Math.min(raw.length, b.length));
        try {
            return new IpBlock(InetAddress.getByAddress(b), settings.blockLength());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<IpBlock> readCache() {
        try {
            if (!Files.exists(cache)) {
                return Optional.empty();
            }
            return Optional.of(IpBlock.parse(Files.readString(cache, StandardCharsets.UTF_8).trim()));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("podcidr: ignoring unreadable cache {}: {}", cache, e.getMessage());
            return Optional.empty();
        }
    }

    private void writeCache(IpBlock b) {
        try {
            Files.createDirectories(cache.getParent());
            Path tmp = cache.resolveSibling("podcidr.tmp");
            Files.writeString(tmp, b + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("podcidr: cannot cache {} in {}: {}", b, cache, e.getMessage());
        }
    }

    /** Stops renewing the lease without revoking it: a restart within the TTL finds the block still held. */
    @Override
    public void close() {
        if (lease != null) {
            lease.close();
        }
    }
}
