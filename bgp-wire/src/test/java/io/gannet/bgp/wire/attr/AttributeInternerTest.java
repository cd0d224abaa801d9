package io.gannet.bgp.wire.attr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Interning: one object per distinct set, reference counts, id reuse, sweeping unreferenced sets. */
class AttributeInternerTest {
    @Test
    void countsReferencesAndReusesIds() {
        AttributeInterner in = new AttributeInterner();
        AttributesBuilder b = new AttributesBuilder();
        PathAttributes[] sets = new PathAttributes[5000];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = in.intern(b.clear().origin(0).emptyAsPath().med(i));
            in.acquire(sets[i].id());
        }
        assertThat(in.size()).isEqualTo(5000);
        assertThat(in.intern(b.clear().origin(0).emptyAsPath().med(42))).isSameAs(sets[42]);
        for (int i = 0; i < sets.length; i += 2) {
            in.release(sets[i].id());
        }
        assertThat(in.size()).isEqualTo(2500);
        for (int i = 1; i < sets.length; i += 2) {
            assertThat(in.intern(b.clear().origin(0).emptyAsPath().med(i))).isSameAs(sets[i]); // probe chains intact
            assertThat(in.get(sets[i].id())).isSameAs(sets[i]);
        }
        PathAttributes fresh = in.intern(b.clear().origin(1).emptyAsPath());
        assertThat(fresh.id()).isLessThan(5001); // a freed id was reused
        in.sweep();                                // fresh was never acquired
        assertThat(in.size()).isEqualTo(2500);
        assertThat(in.intern(b.clear().origin(1).emptyAsPath())).isNotSameAs(fresh);
    }

    @Test
    void equalSetsAreEqualValues() {
        AttributeInterner in = new AttributeInterner();
        PathAttributes a = in.intern(new AttributesBuilder().origin(0).appendSegment(2, 1, 2).addCommunity(5)
                .addLargeCommunity(1, 2, 3).addExtendedCommunity(9L).nextHop(1));
        PathAttributes b = new AttributeInterner().intern(new AttributesBuilder().origin(0).appendSegment(2, 1, 2)
                .addCommunity(5).addLargeCommunity(1, 2, 3).addExtendedCommunity(9L).nextHop(1));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).contains("as-path=[1 2]", "communities=0:5", "large-communities=1:2:3");
    }
}
