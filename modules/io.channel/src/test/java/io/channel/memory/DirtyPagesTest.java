package io.channel.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirtyPagesTest {

    @Test
    void adjacentRangesAreFoldedIntoOne() {
        DirtyPages pages = DirtyPages.builder(16).add(3, 4).add(7, 8).add(8, 9).build();

        assertThat(pages).hasToString("[3,4) [7,9)");
        assertThat(pages.rangeCount()).isEqualTo(2);
        assertThat(pages.dirtyPageCount()).isEqualTo(3);
    }

    @Test
    void containsAnswersForStartsEndsAndGaps() {
        DirtyPages pages = DirtyPages.builder(16).add(3, 4).add(7, 9).build();

        assertThat(List.of(0L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 15L).stream().filter(pages::contains).toList())
                .containsExactly(3L, 7L, 8L);
    }

    @Test
    void aRangeOutOfOrderIsRefusedNamingBothRanges() {
        DirtyPages.Builder builder = DirtyPages.builder(16).add(7, 9);

        assertThatThrownBy(() -> builder.add(8, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dirty page range [8,10) added out of order: it starts before the end of the previous"
                        + " range, page 9");
    }

    @Test
    void aRangeBeyondTheRegionIsRefused() {
        assertThatThrownBy(() -> DirtyPages.builder(16).add(15, 17))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dirty page range [15,17) is empty or outside the region's pages [0,16)");
    }

    @Test
    void anEmptyRangeIsRefused() {
        assertThatThrownBy(() -> DirtyPages.builder(16).add(4, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unionMergesOverlappingAndAdjacentRanges() {
        DirtyPages a = DirtyPages.builder(32).add(0, 2).add(5, 10).add(20, 21).build();
        DirtyPages b = DirtyPages.builder(32).add(2, 3).add(6, 12).add(30, 32).build();

        DirtyPages union = a.union(b);

        assertThat(union).hasToString("[0,3) [5,12) [20,21) [30,32)");
        assertThat(union.dirtyPageCount()).isEqualTo(3 + 7 + 1 + 2);
        assertThat(b.union(a)).isEqualTo(union);
    }

    @Test
    void unionWithNothingIsTheSame() {
        DirtyPages a = DirtyPages.builder(8).add(1, 2).build();

        assertThat(a.union(DirtyPages.none(8))).isSameAs(a);
        assertThat(DirtyPages.none(8).union(a)).isSameAs(a);
    }

    @Test
    void unionOfRegionsOfDifferentSizesIsRefused() {
        assertThatThrownBy(() -> DirtyPages.none(8).union(DirtyPages.none(9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region of 8 pages").hasMessageContaining("region of 9 pages");
    }

    @Test
    void forEachRangeVisitsTheRangesInOrder() {
        List<String> seen = new ArrayList<>();

        DirtyPages.builder(16).add(1, 2).add(4, 6).build().forEachRange((start, end) -> seen.add(start + "-" + end));

        assertThat(seen).containsExactly("1-2", "4-6");
    }

    @Test
    void nothingDirtyReadsNone() {
        DirtyPages none = DirtyPages.none(4);

        assertThat(none.isEmpty()).isTrue();
        assertThat(none).hasToString("none");
        assertThat(none.dirtyPageCount()).isZero();
    }
}
