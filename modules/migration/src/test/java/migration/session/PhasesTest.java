package migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import migration.MigrationStatus;
import org.junit.jupiter.api.Test;

/** The phase enums write each side's protocol order down; {@link Phases} refuses any other move. */
class PhasesTest {

    @Test
    void aLiveSourceGoesThroughEveryPhaseInOrder() {
        Phases<SourcePhase> phases = new Phases<>("source", SourcePhase.CONNECTING);

        for (SourcePhase next : new SourcePhase[] {SourcePhase.HANDSHAKE, SourcePhase.ROUNDS, SourcePhase.PAUSED,
            SourcePhase.COMPLETE_SENT, SourcePhase.COMMITTED, SourcePhase.ENDED}) {
            phases.moveTo(next);
        }

        assertThat(phases.history()).containsExactly(SourcePhase.values());
    }

    @Test
    void aSourceThatIsNotLiveSendsCompleteWithoutAPause() {
        Phases<SourcePhase> phases = new Phases<>("source", SourcePhase.ROUNDS);

        phases.moveTo(SourcePhase.COMPLETE_SENT);

        assertThat(phases.current()).isEqualTo(SourcePhase.COMPLETE_SENT);
    }

    @Test
    void aSourceCannotCommitBeforeItSentComplete() {
        Phases<SourcePhase> phases = new Phases<>("source", SourcePhase.PAUSED);

        assertThatThrownBy(() -> phases.moveTo(SourcePhase.COMMITTED)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the source cannot move from PAUSED to COMMITTED (phases so far: [PAUSED])");
        assertThat(phases.current()).isEqualTo(SourcePhase.PAUSED);
    }

    @Test
    void aDestinationCannotOwnTheMemoryBeforeItAnsweredWithResult() {
        Phases<DestinationPhase> phases = new Phases<>("destination", DestinationPhase.VERIFYING);

        assertThatThrownBy(() -> phases.moveTo(DestinationPhase.COMMITTED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the destination cannot move from VERIFYING to COMMITTED");
    }

    @Test
    void everyPhaseButTheEndMayEndAndTheEndIsFinal() {
        for (SourcePhase phase : EnumSet.complementOf(EnumSet.of(SourcePhase.ENDED))) {
            assertThat(phase.mayMoveTo(SourcePhase.ENDED)).as(phase.name()).isTrue();
        }
        for (DestinationPhase phase : EnumSet.complementOf(EnumSet.of(DestinationPhase.ENDED))) {
            assertThat(phase.mayMoveTo(DestinationPhase.ENDED)).as(phase.name()).isTrue();
        }
        assertThat(EnumSet.allOf(SourcePhase.class)).noneMatch(SourcePhase.ENDED::mayMoveTo);
        assertThat(EnumSet.allOf(DestinationPhase.class)).noneMatch(DestinationPhase.ENDED::mayMoveTo);
    }

    @Test
    void onlyTheConnectingPhasesAreSetup() {
        assertThat(EnumSet.allOf(SourcePhase.class)).filteredOn(p -> p.status() == MigrationStatus.SETUP)
                .containsExactlyInAnyOrder(SourcePhase.CONNECTING, SourcePhase.HANDSHAKE);
        assertThat(EnumSet.allOf(DestinationPhase.class)).filteredOn(p -> p.status() == MigrationStatus.SETUP)
                .containsExactlyInAnyOrder(DestinationPhase.LISTENING, DestinationPhase.IDENTIFYING);
    }
}
