package io.gannet.agent.control.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The bearer tokens that may use the control API on its TCP port ({@code gannet run
 * --control-tokens FILE}). One token per line, with a name the audit log shows and a scope:
 *
 * <pre>
 * # NAME   SCOPE  TOKEN (at least 32 characters: e.g. `openssl rand -hex 32`)
 * grafana  read   3f5c0d0e8f8c4b0f9a1e6d2c7b5a49e1d0c3b2a1f0e9d8c7
 * ops      write  9b8a7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f3021
 * </pre>
 *
 * <p>The file is a secret: it must be a regular file that only its owner can read or write
 * (mode 0600 or 0400), owned by the user the daemon runs as; anything else refuses the start.
 * Tokens are compared through their SHA-256 digests in constant time, so the time an answer
 * takes does not leak how much of a guess was right.
 */
public final class ControlTokens {
    /** The shortest token accepted: 32 characters (128 bits as hex). */
    public static final int MIN_TOKEN_LENGTH = 32;
    private static final int MAX_FILE_BYTES = 64 * 1024;

    private record Entry(String name, Caller.Access access, byte[] digest) {}

    private final List<Entry> entries;

    private ControlTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads and checks {@code file}; the exception's message is the operator's ("FILE:LINE: ..."
     * or "FILE is readable by its group or others (mode 0644): chmod 600 FILE").
     */
    public static ControlTokens load(Path file) {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("token file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage());
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException("token file " + file + " is not a regular file"
                    + (attrs.isSymbolicLink() ? " (a symbolic link: point --control-tokens at the file itself)" : ""));
        }
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(attrs.permissions());
        open.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE));
        if (!open.isEmpty()) {
            throw new IllegalArgumentException("token file " + file + " is accessible by its group or others (mode "
                    + PosixFilePermissions.toString(attrs.permissions()) + "): run chmod 600 " + file);
        }
        String me = System.getProperty("user.name");
        if (me != null && !attrs.owner().getName().equals(me)) {
            throw new IllegalArgumentException("token file " + file + " is owned by " + attrs.owner().getName()
                    + ", not by " + me + " who runs the daemon: run chown " + me + " " + file);
        }
        if (attrs.size() > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("token file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines);
    }

    /** Parses the lines of a token file; {@code source} names it in errors. */
    static ControlTokens parse(String source, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException(where + "expected NAME SCOPE TOKEN, got " + f.length + " field"
                        + (f.length == 1 ? "" : "s"));
            }
            if (!f[0].matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(where + "token name '" + f[0]
                        + "' must be 1-64 letters, digits, '.', '_' or '-'");
            }
            Caller.Access access = switch (f[1].toLowerCase(Locale.ROOT)) {
                case "read" -> Caller.Access.READ;
                case "write" -> Caller.Access.WRITE;
                default -> throw new IllegalArgumentException(where + "scope must be read or write, got '" + f[1] + "'");
            };
            if (f[2].length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException(where + "token of '" + f[0] + "' is " + f[2].length()
                        + " characters; use at least " + MIN_TOKEN_LENGTH + " (e.g. openssl rand -hex 32)");
            }
            if (!names.add(f[0])) {
                throw new IllegalArgumentException(where + "token name '" + f[0] + "' is used twice");
            }
            if (!tokens.add(f[2])) {
                throw new IllegalArgumentException(where + "the token of '" + f[0] + "' is also another name's token");
            }
            entries.add(new Entry(f[0], access, sha256(f[2])));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(source + ": no tokens (expected lines of NAME SCOPE TOKEN)");
        }
        return new ControlTokens(entries);
    }

    /**
     * The caller an {@code Authorization} header names on the TCP port; a caller with
     * {@link Caller.Access#NONE} when the header is missing, is not a bearer token, or matches no token.
     */
    public Caller authenticate(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Caller("tcp", "", Caller.Access.NONE);
        }
        byte[] digest = sha256(authorization.substring(7).strip());
        Entry match = null;
        for (Entry e : entries) {
            // Every entry is compared, so the time taken does not tell which one matched.
            if (MessageDigest.isEqual(e.digest, digest)) {
                match = e;
            }
        }
        return match == null ? new Caller("tcp", "token=(unknown)", Caller.Access.NONE)
                : new Caller("tcp", "token=" + match.name, match.access);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
