package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of CRC32C combination: the CRC of A followed by B, from the CRCs of A and B and B's length. */
class Crc32cProperties {

    private static int crc(byte[]... parts) {
        CRC32C crc = new CRC32C();
        for (byte[] part : parts) {
            crc.update(part);
        }
        return (int) crc.getValue();
    }

    @Property(tries = 300)
    void combiningTheCrcsOfTwoRunsGivesTheCrcOfTheirConcatenation(@ForAll @Size(max = 9000) byte[] a,
                                                                  @ForAll @Size(max = 9000) byte[] b) {
        assertThat(Crc32c.combine(crc(a), crc(b), Crc32c.shiftOperator(b.length))).isEqualTo(crc(a, b));
    }

    @Property(tries = 100)
    void combiningHoldsForLongRunsOfZeros(@ForAll @Size(max = 64) byte[] a,
                                          @ForAll @IntRange(max = 1 << 20) int zeros) {
        byte[] b = new byte[zeros];

        assertThat(Crc32c.combine(crc(a), crc(b), Crc32c.shiftOperator(zeros))).isEqualTo(crc(a, b));
    }

    @Property(tries = 300)
    void combiningThreeRunsInEitherOrderOfGroupingGivesTheSameCrc(@ForAll @Size(max = 3000) byte[] a,
                                                                  @ForAll @Size(max = 3000) byte[] b,
                                                                  @ForAll @Size(max = 3000) byte[] c) {
        int left = Crc32c.combine(Crc32c.combine(crc(a), crc(b), Crc32c.shiftOperator(b.length)), crc(c),
                Crc32c.shiftOperator(c.length));
        int right = Crc32c.combine(crc(a), Crc32c.combine(crc(b), crc(c), Crc32c.shiftOperator(c.length)),
                Crc32c.shiftOperator(b.length + c.length));

        assertThat(left).isEqualTo(right).isEqualTo(crc(a, b, c));
    }

    @Property
    void theByteTableMultipliesAsCombineDoes(@ForAll int crcA, @ForAll int crcB,
                                             @ForAll @IntRange(max = 1 << 30) int length) {
        int operator = Crc32c.shiftOperator(length);
        int[] table = Crc32c.multiplicationTable(operator);

        int viaTable = table[crcA & 0xff] ^ table[256 + (crcA >>> 8 & 0xff)] ^ table[512 + (crcA >>> 16 & 0xff)]
                ^ table[768 + (crcA >>> 24)] ^ crcB;

        assertThat(viaTable).isEqualTo(Crc32c.combine(crcA, crcB, operator));
    }

    @Property
    void theCrcOfADirectBufferIsTheCrcOfItsBytes(@ForAll @Size(max = 9000) byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

        assertThat(Crc32c.of(new CRC32C(), direct)).isEqualTo(crc(bytes));
    }
}
