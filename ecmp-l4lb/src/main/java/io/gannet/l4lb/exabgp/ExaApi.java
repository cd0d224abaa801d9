package io.gannet.l4lb.exabgp;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.l4lb.EventSink;
import io.gannet.l4lb.model.VipPool;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ExaBGP-compatible text API: one line in, one acknowledgement out, as ExaBGP 4 answers
 * a process with {@code ack} on: {@code done} when the route was taken, {@code error} when
 * not (the reason goes to the daemon's log, one line per refused command, so scripts that
 * compare the answer with "error" keep working). A bad line changes nothing and the
 * connection stays. Routes must lie inside the profile's VIP pool: the API announces service
 * addresses, not arbitrary prefixes.
 *
 * <p>Thread-safe: connections call {@link #handle} from their own threads; the sink hops onto
 * the speaker loop. Lines are carried out one at a time (a monitor around the pool check and
 * the sink), so a reload's {@link #setPool} sees every route announced before it.
 */
public final class ExaApi {
    public static final String DONE = "done";
    public static final String ERROR = "error";
    /** Longest line accepted (ExaBGP lines are far shorter). */
    public static final int MAX_LINE = 4096;

    private final RouteSink sink;
    private VipPool pool; // guarded by this
    private final Set<String> announced = new TreeSet<>(); // by this API, guarded by this
    private final EventSink events;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    public ExaApi(RouteSink sink, VipPool pool, EventSink events) {
        this.sink = sink;
        this.pool = pool;
        this.events = events;
    }

    /** Carries out one line from {@code source} ("socket", "process NAME") and returns the ack. */
    public String handle(String line, String source) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return refuse(source, line, "empty line");
        }
        ExaCommand c;
        try {
            c = ExaParser.parse(trimmed);
        } catch (ExaParser.Invalid e) {
            return refuse(source, trimmed, e.getMessage());
        }
        // One line at a time against the pool, so a reload's new pool never misses a route.
        synchronized (this) {
            String inPool = poolProblem(c.prefix());
            if (inPool != null) {
                return refuse(source, trimmed, inPool);
            }
            try {
                if (c.announce()) {
                    sink.announce(c);
                    announced.add(c.prefix());
                } else {
                    sink.withdraw(c.prefix());
                    announced.remove(c.prefix());
                }
            } catch (RuntimeException e) {
                // the speaker refused or did not answer: nothing changed, the connection stays
                return refuse(source, trimmed, e.getMessage() == null ? "the BGP speaker refused the route" : e.getMessage());
            }
        }
        done.incrementAndGet();
        events.event("exabgp-api", source, (c.announce() ? "announce " : "withdraw ") + c.prefix());
        return DONE;
    }

    /**
     * The profile's VIP pool changed (a reload): later lines are checked against {@code next}, and
     * the routes this API announced that lie outside it are withdrawn (a script could not withdraw
     * them any more: its lines outside the pool are refused). Returns the prefixes withdrawn.
     */
    public synchronized List<String> setPool(VipPool next) {
        pool = next;
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = announced.iterator(); it.hasNext();) {
            String prefix = it.next();
            if (poolProblem(prefix) == null) {
                continue;
            }
            try {
                sink.withdraw(prefix);
                it.remove();
                out.add(prefix);
                events.event("exabgp-api", "reload", "withdraw " + prefix + ": outside the profile's VIP pool " + next);
            } catch (RuntimeException e) {
                events.event("exabgp-api", "reload", "withdraw " + prefix + " failed: " + e.getMessage()
                        + " (it stays announced; withdraw it by hand with gannet withdraw)");
            }
        }
        return out;
    }

    private String poolProblem(String prefix) {
        int slash = prefix.indexOf('/');
        String addr = prefix.substring(0, slash);
        int length = Integer.parseInt(prefix.substring(slash + 1));
        boolean in = addr.contains(":") ? pool.containsPrefix(Ipv6.parse(addr), length) : pool.containsPrefix(Ipv4.parse(addr), length);
        if (!in) {
            return prefix + " is outside the profile's VIP pool " + pool;
        }
        return null;
    }

    /** Refuses input that never became a line (over-long, cut off); returns the ack. */
    public String refuse(String source, String line, String why) {
        errors.incrementAndGet();
        String shown = line.length() > 200 ? line.substring(0, 200) + "..." : line;
        events.event("exabgp-api", source, "refused '" + shown + "': " + why);
        return ERROR;
    }

    public long doneCount() {
        return done.get();
    }

    public long errorCount() {
        return errors.get();
    }
}
