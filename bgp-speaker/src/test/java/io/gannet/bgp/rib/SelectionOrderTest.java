package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The RIB's fast paths for a new candidate (it loses outright, or joins the ECMP set at a
 * tie-break step) give what a full selection gives: the same paths announced in any order, and
 * withdrawn again one by one, leave the same best path, reason, ECMP set and per-path verdicts.
 * (No MED here: MED compared only within a neighbour AS is not transitive, and then every BGP
 * speaker's result depends on arrival order.)
 */
class SelectionOrderTest {
    private static final String P = "10.7.0.0/24";

    private record Candidate(int peer, long[] asPath, long localPref, int origin) {
        AttributesBuilder attributes() {
            return attrs(asPath).localPref(localPref).origin(origin);
        }
    }

    private record State(String best, BestPathReason reason, Set<String> ecmp, Map<String, BestPathReason> lostAt) {}

    @Test
    void anyArrivalOrderGivesTheSameSelection() {
        Random rnd = new Random(4271);
        for (int round = 0; round < 150; round++) {
            int maxPaths = 1 + rnd.nextInt(5);
            int n = 2 + rnd.nextInt(9);
            List<Candidate> cands = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int len = 1 + rnd.nextInt(2);
                long[] path = new long[len];
                for (int k = 0; k < len; k++) {
                    path[k] = 65001 + i + k * 100;
                }
                cands.add(new Candidate(i, path, rnd.nextInt(4) == 0 ? 200 : 100,
                        rnd.nextInt(5) == 0 ? AttributeType.ORIGIN_INCOMPLETE : AttributeType.ORIGIN_IGP));
            }
            List<State> finals = new ArrayList<>();
            List<List<State>> withdrawals = new ArrayList<>();
            List<Integer> withdrawOrder = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                withdrawOrder.add(i);
            }
            Collections.shuffle(withdrawOrder, rnd);
            for (int order = 0; order < 4; order++) {
                List<Candidate> arrival = new ArrayList<>(cands);
                Collections.shuffle(arrival, rnd);
                RibHarness h = new RibHarness(maxPaths);
                List<FakePeerLink> links = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    links.add(h.up(h.peer("p" + i, "192.0.2." + (10 + i), 65001 + i, null)));
                }
                for (Candidate c : arrival) {
                    h.announce(links.get(c.peer), c.attributes(), P);
                }
                finals.add(state(h));
                List<State> after = new ArrayList<>();
                for (int i : withdrawOrder.subList(0, n - 1)) {
                    h.withdraw(links.get(i), P);
                    after.add(state(h));
                }
                withdrawals.add(after);
            }
            for (int order = 1; order < finals.size(); order++) {
                assertThat(finals.get(order)).as("round %d, maxPaths %d, %s", round, maxPaths, cands).isEqualTo(finals.get(0));
                assertThat(withdrawals.get(order)).isEqualTo(withdrawals.get(0));
            }
            assertThat(finals.get(0).ecmp()).hasSizeLessThanOrEqualTo(maxPaths).contains(finals.get(0).best());
        }
    }

    private static State state(RibHarness h) {
        RouteView v = h.rib.route(Prefix.parse(P));
        return new State(v.best().peer(), v.reason(),
                v.multipath().stream().map(PathView::peer).collect(Collectors.toCollection(TreeSet::new)),
                new TreeMap<>(v.paths().stream().filter(p -> !p.best()).collect(Collectors.toMap(PathView::peer, PathView::lostAt))));
    }
}
