package io.gannet.l4lb.exabgp;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.l4lb.EventSink;
import io.gannet.l4lb.model.VipPool;
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
 * the speaker loop.
 */
public final class ExaApi {
    public static final String DONE = "done";
    public static final String ERROR = "error";
    /** Longest line accepted (ExaBGP lines are far shorter). */
    public static final int MAX_LINE = 4096;

    private final RouteSink sink;
    private final VipPool pool;
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
        String inPool = poolProblem(c.prefix());
        if (inPool != null) {
            return refuse(source, trimmed, inPool);
        }
        try {
            if (c.announce()) {
                sink.announce(c);
            } else {
                sink.withdraw(c.prefix());
            }
        } catch (RuntimeException e) {
            // the speaker refused or did not answer: nothing changed, the connection stays
            return refuse(source, trimmed, e.getMessage() == null ? "the BGP speaker refused the route" : e.getMessage());
        }
        done.incrementAndGet();
        events.event("exabgp-api", source, (c.announce() ? "announce " : "withdraw ") + c.prefix());
        return DONE;
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
