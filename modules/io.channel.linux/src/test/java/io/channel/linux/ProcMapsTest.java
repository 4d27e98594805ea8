package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ProcMaps}: the line of {@code /proc/self/maps} that holds an address, from text alone. */
class ProcMapsTest {

    private static final String MAPS = """
            55d0c8a00000-55d0c8a01000 r--p 00000000 fe:01 1234                       /usr/bin/java
            7f1c00000000-7f1c40000000 rw-s 00000000 00:1a 77                         /dev/shm/state (deleted)
            7f1c40000000-7f1c40002000 rw-s 00002000 00:01 9                          /memfd:ram0 (deleted)
            7f1c50000000-7f1c50001000 rw-p 00000000 00:00 0
            """;

    @Test
    void findsTheSharedMappingThatHoldsAnAddressWithItsFileAndDevice() {
        ProcMaps entry = ProcMaps.holding(MAPS, 0x7f1c_1000_0000L);

        assertThat(entry).isNotNull();
        assertThat(entry.shared()).isTrue();
        assertThat(entry.path()).isEqualTo("/dev/shm/state (deleted)");
        assertThat(entry.inode()).isEqualTo(77);
        assertThat(entry.fileOffsetOf(0x7f1c_1000_0000L)).isEqualTo(0x1000_0000L);
        // glibc's makedev(0, 0x1a) is 0x1a; (0xfe, 1) is 0xfe01.
        assertThat(entry.maps(0x1a, 77)).isTrue();
        assertThat(entry.maps(0xfe01, 77)).isFalse();
        assertThat(ProcMaps.holding(MAPS, 0x55d0_c8a0_0000L).maps(0xfe01, 1234)).isTrue();
    }

    @Test
    void tellsAPrivateMappingAndAMappingThatStartsInsideItsFile() {
        assertThat(ProcMaps.holding(MAPS, 0x7f1c_5000_0000L).shared()).isFalse();
        assertThat(ProcMaps.holding(MAPS, 0x7f1c_4000_0000L).fileOffsetOf(0x7f1c_4000_0000L)).isEqualTo(0x2000);
    }

    @Test
    void anAddressNoLineHoldsHasNoMapping() {
        assertThat(ProcMaps.holding(MAPS, 0x7f1c_4000_2000L)).isNull();
        assertThat(ProcMaps.holding(MAPS, 0x1000)).isNull();
    }

    @Test
    void aMalformedLineIsRefusedNamingIt() {
        assertThatThrownBy(() -> ProcMaps.holding("7f00-zz rw-s 0 00:01 9 /x\n", 0x7f00))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7f00-zz");
    }
}
