package io.gannet.l4lb.maglev;

import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.model.WeightedBackend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Maglev slots of one VIP: which permutations the table is built over, and which backend
 * holds each one now. Plain Maglev makes a slot per configured backend, named by its
 * address:port, so removing a backend rebuilds the table and moves entries of others too
 * (6/N at N = 1,000 with M = 65,537: Maglev's own disruption). With slots agreed among the LB
 * hosts (in the cluster store), a backend that leaves the Service leaves an <em>empty</em> slot:
 * its permutation stays, its entries fail over like a failed backend's, and nothing else moves.
 * A backend that joins takes an empty slot of its weight (a rolling update's new pod takes the
 * old pod's entries, nothing else moves) or, with none free, a new slot (Maglev's join).
 *
 * <p>{@link #next} is a pure function of this plan and the configured backends, and
 * idempotent, so hosts that read the same agreed plan and see the same backends build the same
 * table. Empty slots' entries are spread over the holders by rendezvous hashing, whose counts
 * vary (binomially), and cost a hash per entry and holder: when that variation would exceed 5 %
 * of a holder's share of the table, or that cost 2^24 hashes per build, the plan starts afresh
 * (one Maglev rebuild) rather than let the balance or the build time go. With M = 65,537 that is
 * about the 207th of 1,000 backends gone without replacement (balance), never at 100; with M =
 * 1,048,391 about the 17th (cost).
 *
 * @param slots in fill order: by the name's backend, then its generation
 */
public record SlotPlan(List<Slot> slots) {
    /**
     * The most the failed-over entries per holder may vary, squared, as a share of a holder's
     * entries: with e empty slots of S and L = S - e holders in a table of M entries, F = M e / S
     * entries fail over, a holder takes F / L of them with a standard deviation of sqrt(F / L), and
     * holds M / L in all, so the relative deviation is sqrt(e L / (S M)); 5 % squared.
     */
    static final double MAX_FAILOVER_VARIATION_SQUARED = 0.05 * 0.05;

    /**
     * The most hashes the empty slots' failover may cost per build: M e / S entries times L
     * holders. 2^24 is about 30 ms of one core (bench/l4lb), what 100 of 1,000 backends failing
     * their checks cost at M = 65,537 twice over; a table is rebuilt at every change of health.
     */
    static final double MAX_FAILOVER_HASHES = 1 << 24;

    /**
     * One Maglev permutation.
     *
     * @param name       the backend it was made for (its permutation is seeded by that address:port)
     * @param generation 0 for the first slot made for that backend; a slot made for it again while an
     *                   earlier one still exists gets the next number, and "#generation" in its seed
     * @param weight     its Maglev weight (> 0)
     * @param holder     the configured backend that holds it now, or null: empty
     */
    public record Slot(Backend name, int generation, int weight, Backend holder) implements Comparable<Slot> {
        public Slot {
            if (weight <= 0 || weight > 1000) {
                throw new IllegalArgumentException("slot weight " + weight + " is not 1-1000");
            }
            if (generation < 0) {
                throw new IllegalArgumentException("slot generation " + generation + " is negative");
            }
        }

        /** What Maglev hashes for the slot's permutation: the backend's name, then "#generation" after the first. */
        public byte[] seed() {
            return (generation == 0 ? name.toString() : name + "#" + generation).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int compareTo(Slot o) {
            int c = name.compareTo(o.name);
            return c != 0 ? c : Integer.compare(generation, o.generation);
        }
    }

    public SlotPlan {
        slots = slots.stream().sorted().toList();
        Set<String> seen = new HashSet<>();
        Set<Backend> holders = new HashSet<>();
        for (Slot s : slots) {
            if (!seen.add(s.name() + "#" + s.generation())) {
                throw new IllegalArgumentException("two slots named " + s.name() + "#" + s.generation());
            }
            if (s.holder() != null && !holders.add(s.holder())) {
                throw new IllegalArgumentException(s.holder() + " holds two slots");
            }
        }
    }

    /** No slots (no backend with weight > 0). */
    public static final SlotPlan NONE = new SlotPlan(List.of());

    /** Plain Maglev: a slot per configured backend with weight > 0, named by it. */
    public static SlotPlan fresh(List<WeightedBackend> configured) {
        List<Slot> s = new ArrayList<>();
        for (WeightedBackend b : configured.stream().distinct().toList()) {
            if (b.weight() > 0) {
                s.add(new Slot(b.backend(), 0, b.weight(), b.backend()));
            }
        }
        return new SlotPlan(s);
    }

    /**
     * The plan for these configured backends, changing this one as little as it can: holders still
     * configured keep their slots (a changed weight changes the slot's weight); holders gone leave
     * their slots empty; new backends (sorted by address and port) first take back an empty slot
     * made for them, then empty slots of their weight in slot order, then new slots. Weight 0 holds
     * no slot. When the empty slots' entries would fail over unevenly in a table of {@code m}
     * entries ({@link #MAX_FAILOVER_VARIATION_SQUARED}) or at too high a cost
     * ({@link #MAX_FAILOVER_HASHES}), or every slot is empty: {@link #fresh}.
     */
    public SlotPlan next(List<WeightedBackend> configured, int m) {
        Map<Backend, Integer> want = new HashMap<>();
        for (WeightedBackend b : configured) {
            if (b.weight() > 0) {
                want.put(b.backend(), b.weight());
            }
        }
        List<Slot> out = new ArrayList<>(slots.size() + 1);
        List<Integer> empty = new ArrayList<>(); // indexes into out
        Set<Backend> placed = new HashSet<>();
        for (Slot s : slots) {
            Integer w = s.holder() == null ? null : want.get(s.holder());
            if (w != null) {
                out.add(new Slot(s.name(), s.generation(), w, s.holder()));
                placed.add(s.holder());
            } else {
                empty.add(out.size());
                out.add(new Slot(s.name(), s.generation(), s.weight(), null));
            }
        }
        List<Backend> newcomers = want.keySet().stream().filter(b -> !placed.contains(b)).sorted().toList();
        List<Backend> left = new ArrayList<>();
        for (Backend b : newcomers) { // first an empty slot made for this very backend (it came back)
            if (!take(out, empty, b, want.get(b), true)) {
                left.add(b);
            }
        }
        List<Backend> unplaced = new ArrayList<>();
        for (Backend b : left) { // then the first empty slot of its weight
            if (!take(out, empty, b, want.get(b), false)) {
                unplaced.add(b);
            }
        }
        for (Backend b : unplaced) { // then a slot of its own
            int generation = 0;
            for (Slot s : out) {
                if (s.name().equals(b)) {
                    generation = Math.max(generation, s.generation() + 1);
                }
            }
            out.add(new Slot(b, generation, want.get(b), b));
        }
        long emptyNow = out.stream().filter(s -> s.holder() == null).count();
        long holders = out.size() - emptyNow;
        if (holders == 0 || (double) emptyNow * holders > MAX_FAILOVER_VARIATION_SQUARED * out.size() * m
                || (double) m * emptyNow * holders / out.size() > MAX_FAILOVER_HASHES) {
            return fresh(configured);
        }
        return new SlotPlan(out);
    }

    /** Gives {@code b} the first empty slot of its weight (made for it, with {@code own}); false if none. */
    private static boolean take(List<Slot> out, List<Integer> empty, Backend b, int weight, boolean own) {
        for (int i : empty) {
            Slot s = out.get(i);
            if (s.holder() == null && s.weight() == weight && (!own || s.name().equals(b))) {
                out.set(i, new Slot(s.name(), s.generation(), weight, b));
                return true;
            }
        }
        return false;
    }

    /** Slots no backend holds. */
    public int empty() {
        return (int) slots.stream().filter(s -> s.holder() == null).count();
    }

    /** Whether this is plain Maglev over its holders (every slot held by the backend it was made for). */
    public boolean plain() {
        return slots.stream().allMatch(s -> s.generation() == 0 && s.name().equals(s.holder()));
    }

    /** The plan as the cluster store holds it: a line per slot, "name[#generation] weight holder|-". */
    public String encode() {
        StringBuilder b = new StringBuilder();
        for (Slot s : slots) {
            b.append(s.name());
            if (s.generation() > 0) {
                b.append('#').append(s.generation());
            }
            b.append(' ').append(s.weight()).append(' ').append(s.holder() == null ? "-" : s.holder().toString()).append('\n');
        }
        return b.toString();
    }

    /** The plan {@link #encode} wrote; a clear error for anything else (the caller starts afresh and says so). */
    public static SlotPlan decode(String text) {
        List<Slot> s = new ArrayList<>();
        int line = 0;
        for (String l : text.split("\n")) {
            line++;
            if (l.isBlank()) {
                continue;
            }
            String[] f = l.trim().split(" ");
            if (f.length != 3) {
                throw new IllegalArgumentException("line " + line + ": want \"name weight holder\", got \"" + l + "\"");
            }
            try {
                String name = f[0];
                int generation = 0;
                int hash = name.lastIndexOf('#');
                if (hash > 0) {
                    generation = Integer.parseInt(name.substring(hash + 1));
                    name = name.substring(0, hash);
                }
                s.add(new Slot(parseBackend(name), generation, Integer.parseInt(f[1]), f[2].equals("-") ? null : parseBackend(f[2])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + line + ": " + e.getMessage());
            }
        }
        return new SlotPlan(s);
    }

    private static Backend parseBackend(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not address:port");
        }
        String addr = text.substring(0, colon);
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        return Backend.of(addr, Integer.parseInt(text.substring(colon + 1)));
    }

    /** Slots in fill order as {@code show vips} prints them. */
    @Override
    public String toString() {
        return slots.size() + (slots.size() == 1 ? " slot, " : " slots, ") + empty() + " empty";
    }
}
