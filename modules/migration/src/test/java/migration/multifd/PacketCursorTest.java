package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketCursorTest {

    @Test
    void claimsCoverEveryPageOfEveryBlockOnceInOrder() {
        // 300 pages and a short last page; an empty block; exactly one packet.
        PacketCursor cursor = new PacketCursor(List.of(300 * 4096L + 10, 0L, 128 * 4096L));
        PacketCursor.Claim claim = new PacketCursor.Claim();
        List<String> claims = new ArrayList<>();
        while (cursor.next(claim)) {
            claims.add(claim.block() + ":" + claim.firstPage() + "+" + claim.count());
        }
        assertThat(claims).containsExactly("0:0+128", "0:128+128", "0:256+45", "2:0+128");
        assertThat(cursor.next(claim)).as("stays exhausted").isFalse();
    }
}
