package io.gannet.agent.run;

import com.fasterxml.jackson.core.type.TypeReference;
import io.gannet.agent.control.Announcement;
import io.gannet.agent.control.IpPrefix;
import io.gannet.agent.control.server.JsonCodec;
import io.gannet.agent.control.server.RequestBodies;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes operators announced at run time ({@code gannet announce}), so that {@code show
 * routes} can tell them from the profile's, and the ones announced with {@code --persist},
 * stored in {@code STATE_DIR/announcements.json} (atomic write + rename, fsync) and announced
 * again when the daemon starts. Without {@code --persist} a runtime announcement ends with the
 * daemon, like BIRD's and GoBGP's.
 *
 * <p>The file holds the control API's own announce bodies, so a restart re-checks each one
 * exactly as the API would (a bad entry is reported and skipped, never fatal).
 *
 * <p>Threads: control workers and start-up; every method is synchronized.
 */
final class OperatorRoutes {
    static final String FILE = "announcements.json";

    private record Entry(Announcement announcement, boolean persist) {}

    private final Path file;
    private final Map<IpPrefix, Entry> routes = new LinkedHashMap<>();

    OperatorRoutes(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** The persisted announcements, checked; each bad entry goes to {@code problems}. */
    synchronized List<Announcement> loadPersisted(List<String> problems) throws IOException {
        List<Announcement> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<RequestBodies.Announce> bodies;
        try {
            bodies = JsonCodec.mapper().readValue(file.toFile(), new TypeReference<List<RequestBodies.Announce>>() {});
        } catch (IOException e) {
            problems.add(file + ": not a list of announcements, none restored: " + e.getMessage());
            return out;
        }
        for (int i = 0; i < bodies.size(); i++) {
            try {
                Announcement a = bodies.get(i).toAnnouncement();
                routes.put(a.prefix(), new Entry(a, true));
                out.add(a);
            } catch (RuntimeException e) {
                problems.add(file + ": entry " + (i + 1) + " skipped: " + e.getMessage());
            }
        }
        return out;
    }

    synchronized boolean contains(IpPrefix prefix) {
        return routes.containsKey(prefix);
    }

    /** Records an announcement; rewrites the file when a persisted entry appears, changes or goes. */
    synchronized void put(Announcement a, boolean persist) throws IOException {
        Entry old = routes.put(a.prefix(), new Entry(a, persist));
        if (persist || (old != null && old.persist())) {
            save();
        }
    }

    /** Forgets a withdrawn route; rewrites the file when it was persisted. */
    synchronized void remove(IpPrefix prefix) throws IOException {
        Entry old = routes.remove(prefix);
        if (old != null && old.persist()) {
            save();
        }
    }

    private void save() throws IOException {
        List<Announcement> persisted = new ArrayList<>();
        routes.values().stream().filter(Entry::persist).forEach(e -> persisted.add(e.announcement()));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.write(tmp, JsonCodec.write(persisted));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
