package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** System property {@value MigrationDestination#PREFAULT_PROPERTY}: whether destinations populate memory ahead. */
class DestinationPrefaultTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void anUnsetPropertyPopulates() throws MigrationException {
        assertThat(MigrationDestination.prefault(null)).isTrue();
    }

    @Test
    void trueAndFalseSayWhetherToPopulate() throws MigrationException {
        assertThat(MigrationDestination.prefault("true")).isTrue();
        assertThat(MigrationDestination.prefault("false")).isFalse();
    }

    @Test
    void anotherValueIsRefusedNamingThePropertyAndTheValue() {
        assertThatThrownBy(() -> MigrationDestination.prefault("off"))
                .isInstanceOf(MigrationException.class)
                .hasMessage("system property migration.destination.prefault must be true or false, but is 'off'");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDestinationThatDoesNotPopulateReceivesFreshMemoryIntact() throws Exception {
        String before = System.getProperty(MigrationDestination.PREFAULT_PROPERTY);
        System.setProperty(MigrationDestination.PREFAULT_PROPERTY, "false");
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 8 * MIB, arena);
            TestMemory.fillMixed(source.memory(), 7);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), EndToEndMigrationTest.copying(2));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         EndToEndMigrationTest.copying(2))) {
                assertThat(migration.await().verified()).isTrue();
                assertThat(destination.await().verified()).isTrue();
                assertThat(destination.blocks().getFirst().memory().mismatch(source.memory())).isEqualTo(-1);
            }
        } finally {
            restore(before);
        }
    }

    @Test
    void aBadValueFailsTheListenBeforeItBinds() {
        String before = System.getProperty(MigrationDestination.PREFAULT_PROPERTY);
        System.setProperty(MigrationDestination.PREFAULT_PROPERTY, "yes");
        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), EndToEndMigrationTest.copying(1)))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("migration.destination.prefault must be true or false, but is 'yes'");
        } finally {
            restore(before);
        }
    }

    private static void restore(String value) {
        if (value == null) {
            System.clearProperty(MigrationDestination.PREFAULT_PROPERTY);
        } else {
            System.setProperty(MigrationDestination.PREFAULT_PROPERTY, value);
        }
    }
}
