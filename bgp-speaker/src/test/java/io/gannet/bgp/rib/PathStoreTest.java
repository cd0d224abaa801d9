package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The peer and flag bits share one 16-bit word a path; compaction keeps both. */
class PathStoreTest {
    @Test
    void flagsNeverDisturbThePeerAndSurviveACompaction() {
        PathStore paths = new PathStore(16);
        int last = PathStore.MAX_PEERS - 1;
        int a = paths.allocate(last, 7, -1);
        int b = paths.allocate(0, 8, a);
        int c = paths.allocate(1234, 9, b);
        paths.set(a, PathStore.STALE, true);
        paths.set(a, PathStore.MULTIPATH, true);
        paths.set(c, PathStore.MULTIPATH, true);
        assertThat(paths.peer(a)).isEqualTo(last);
        assertThat(paths.has(a, PathStore.STALE)).isTrue();
        assertThat(paths.has(a, PathStore.MULTIPATH)).isTrue();
        assertThat(paths.has(b, PathStore.STALE)).isFalse();
        assertThat(paths.has(b, PathStore.MULTIPATH)).isFalse();
        assertThat(paths.peer(c)).isEqualTo(1234);
        paths.set(a, PathStore.STALE, false);
        assertThat(paths.has(a, PathStore.STALE)).isFalse();
        assertThat(paths.has(a, PathStore.MULTIPATH)).isTrue();
        assertThat(paths.peer(a)).isEqualTo(last);

        paths.free(b);
        int[] map = paths.compact(16);
        assertThat(map[b]).isEqualTo(-1);
        int na = map[a];
        int nc = map[c];
        assertThat(paths.peer(na)).isEqualTo(last);
        assertThat(paths.has(na, PathStore.MULTIPATH)).isTrue();
        assertThat(paths.peer(nc)).isEqualTo(1234);
        assertThat(paths.has(nc, PathStore.MULTIPATH)).isTrue();
        assertThat(paths.has(nc, PathStore.STALE)).isFalse();
        assertThat(paths.attr.get(nc)).isEqualTo(9);
        assertThat(paths.size()).isEqualTo(2);
    }
}
