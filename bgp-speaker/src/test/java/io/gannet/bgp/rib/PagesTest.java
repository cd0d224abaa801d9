package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PagesTest {

    @Test
    void smallArraysDoubleTheirOnlyPageThenGrowByWholePagesKeepingEveryValue() {
        IntPages a = new IntPages(10, -1);
        assertThat(a.capacity()).as("at least 16").isEqualTo(16);
        for (int i = 0; i < 10; i++) {
            a.set(i, i * 3);
        }
        assertThat(a.get(10)).isEqualTo(-1);
        a.grow(17);
        assertThat(a.capacity()).isEqualTo(32);
        assertThat(a.get(31)).isEqualTo(-1);
        a.grow(Pages.SIZE + 1);
        assertThat(a.capacity()).isEqualTo(2 * Pages.SIZE);
        a.grow(5 * Pages.SIZE - 3);
        assertThat(a.capacity()).isEqualTo(5 * Pages.SIZE);
        for (int i = 10; i < a.capacity(); i++) {
            assertThat(a.get(i)).as("entry %d", i).isEqualTo(-1);
            a.set(i, i * 3);
        }
        for (int i = 0; i < a.capacity(); i++) {
            assertThat(a.get(i)).isEqualTo(i * 3);
        }
        a.grow(3);
        assertThat(a.capacity()).as("never shrinks").isEqualTo(5 * Pages.SIZE);
    }

    @Test
    void atReadsZeroPastTheEndOrWithoutAnArray() {
        IntPages a = new IntPages(4, 0);
        a.set(3, 7);
        assertThat(IntPages.at(a, 3)).isEqualTo(7);
        assertThat(IntPages.at(a, 4)).isZero();
        assertThat(IntPages.at(null, 0)).isZero();
    }

    @Test
    void longAndByteArraysKeepValuesAndFillAcrossPages() {
        LongPages l = new LongPages(1, 0);
        BytePages b = new BytePages(1, (byte) -1);
        int n = 3 * Pages.SIZE + 5;
        l.grow(n);
        b.grow(n);
        for (int i = 0; i < n; i++) {
            assertThat(b.get(i)).isEqualTo((byte) -1);
            l.set(i, (long) i << 33);
            b.set(i, (byte) i);
        }
        for (int i = 0; i < n; i++) {
            assertThat(l.get(i)).isEqualTo((long) i << 33);
            assertThat(b.get(i)).isEqualTo((byte) i);
        }
    }
}
