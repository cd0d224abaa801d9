package io.gannet.pod.ipam;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The node IPAM's file: a snapshot followed by appended records, one per line.
 *
 * <pre>
 * gannet-ipam 1 10.1.2.0/24                       header: format version, the block
 * A  10.1.2.7  POD  &lt;container&gt;  eth0  ns  pod  -  1733330000000    one assignment (tab separated)
 * R  10.1.2.7                                      its release
 * </pre>
 *
 * <p>Durability: each record is one {@code write(2)} of a whole line, so a daemon killed at any
 * point (kill -9) leaves every acknowledged allocation in the page cache and at worst a torn
 * last line, which the next open drops (it was never acknowledged). With {@code fsync} each
 * record is also forced to disk before the call returns, which survives power loss at the
 * price of a disk flush per pod. Compaction writes a fresh snapshot to a temporary file,
 * forces it, renames it over the journal and forces the directory.
 *
 * <p>Not thread safe: {@link NodeIpam} calls it under its lock.
 */
final class IpamJournal implements AutoCloseable {
    static final String MAGIC = "gannet-ipam";
    static final int VERSION = 1;

    private final Path file;
    private final boolean fsync;
    private FileChannel out;
    private long records;

    private IpamJournal(Path file, boolean fsync) {
        this.file = file;
        this.fsync = fsync;
    }

    /** What was read back on open. */
    record Loaded(List<Assignment> live, boolean tornTailDropped) {}

    /**
     * Reads the file (if any) and returns the live assignments; a damaged line is an error
     * naming {@code file:line}, and the file is then left exactly as it was.
     */
    static IpamJournal open(Path file, IpBlock block, boolean fsync, List<Assignment> liveOut) {
        IpamJournal j = new IpamJournal(file, fsync);
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                j.read(block, liveOut);
            }
            j.compact(block, liveOut);
            return j;
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.STORAGE, "cannot use IPAM state file " + file + ": " + e.getMessage(), e);
        }
    }

    private void read(IpBlock block, List<Assignment> liveOut) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--; // a torn last line: the write that was in flight when the daemon died
        }
        String text = new String(all, 0, end, StandardCharsets.UTF_8);
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
        LinkedHashMap<InetAddress, Assignment> live = new LinkedHashMap<>();
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) {
            n--;
        }
        if (n == 0) {
            return; // empty, or only a torn header: nothing was ever acknowledged
        }
        String header = MAGIC + " " + VERSION + " " + block;
        if (!lines[0].startsWith(MAGIC + " ")) {
            throw damaged(1, "not a Gannet IPAM file (first line should start with '" + MAGIC + "')");
        }
        if (!lines[0].equals(header)) {
            throw damaged(1, "this file belongs to '" + lines[0].substring(MAGIC.length() + 1) + "', expected version " + VERSION + " and block " + block);
        }
        for (int i = 1; i < n; i++) {
            String[] f = lines[i].split("\t", -1);
            try {
                switch (f[0]) {
                    case "A" -> {
                        Assignment a = decode(f, block);
                        live.put(a.address(), a);
                    }
                    case "R" -> {
                        if (f.length != 2) {
                            throw new IllegalArgumentException("a release record has 2 fields, this one " + f.length);
                        }
                        live.remove(IpBlock.parseAddress(f[1]));
                    }
                    default -> throw new IllegalArgumentException("unknown record type '" + Fields.printable(f[0]) + "'");
                }
            } catch (IllegalArgumentException | IpamException e) {
                throw damaged(i + 1, e.getMessage());
            }
        }
        liveOut.addAll(live.values());
    }

    private IpamException damaged(int line, String what) {
        return new IpamException(IpamException.Reason.STORAGE, file + ":" + line + ": " + what
                + "; the file was left unchanged (move it aside to start with an empty block)");
    }

    private static Assignment decode(String[] f, IpBlock block) {
        if (f.length != 9) {
            throw new IllegalArgumentException("an assignment record has 9 fields, this one " + f.length);
        }
        InetAddress addr = IpBlock.parseAddress(f[1]);
        Assignment.Kind kind;
        try {
            kind = Assignment.Kind.valueOf(f[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown assignment kind '" + Fields.printable(f[2]) + "'");
        }
        Optional<FixedIpKey> key = f[7].equals("-") ? Optional.empty() : Optional.of(FixedIpKey.parse(f[7]));
        if (kind == Assignment.Kind.FIXED && key.isEmpty()) {
            throw new IllegalArgumentException("a fixed-IP assignment without its key");
        }
        if (kind != Assignment.Kind.FIXED && !block.contains(addr)) {
            throw new IllegalArgumentException(IpBlock.format(addr) + " is outside block " + block);
        }
        long at;
        try {
            at = Long.parseLong(f[8]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad timestamp '" + Fields.printable(f[8]) + "'");
        }
        int len = kind == Assignment.Kind.FIXED ? block.hostLength() : block.prefixLength();
        return new Assignment(addr, len, block.gateway(), kind, Fields.token("container id", f[3]), Fields.token("interface name", f[4]),
                Fields.text("pod namespace", f[5]), Fields.text("pod name", f[6]), key, at);
    }

    static String encode(Assignment a) {
        return "A\t" + IpBlock.format(a.address()) + "\t" + a.kind() + "\t" + a.containerId() + "\t" + a.ifName() + "\t"
                + a.podNamespace() + "\t" + a.podName() + "\t" + a.fixedIp().map(FixedIpKey::toString).orElse("-") + "\t"
                + a.allocatedAtMillis() + "\n";
    }

    void appendAssign(Assignment a) {
        append(encode(a));
    }

    void appendRelease(InetAddress address) {
        append("R\t" + IpBlock.format(address) + "\n");
    }

    long records() {
        return records;
    }

    private void append(String line) {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        try {
            while (b.hasRemaining()) {
                out.write(b);
            }
            if (fsync) {
                out.force(false);
            }
            records++;
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.STORAGE, "cannot write IPAM state file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites the file as header + live assignments (atomic rename) and reopens it for appends. */
    void compact(IpBlock block, Collection<Assignment> live) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder s = new StringBuilder(64 + live.size() * 96);
        s.append(MAGIC).append(' ').append(VERSION).append(' ').append(block).append('\n');
        for (Assignment a : live) {
            s.append(encode(a));
        }
        try {
            if (out != null) {
                out.close();
                out = null;
            }
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(s.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    c.write(b);
                }
                c.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state directory does not support atomic rename", e);
            }
            forceDirectory(file.getParent());
            out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            records = live.size();
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.STORAGE, "cannot write IPAM state file " + file + ": " + e.getMessage(), e);
        }
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // closing an append-only channel after its last write: nothing left to lose
        }
    }

    /** For tests: the records as they are, one per line. */
    static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file));
    }
}
