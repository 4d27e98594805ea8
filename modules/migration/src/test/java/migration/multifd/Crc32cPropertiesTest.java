package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of CRC32C combination: the CRC of A followed by B, from the CRCs of A and B and B's length. Each case
 * is one seed of a {@link SplittableRandom}, so a failure names the seed that reproduces it; empty runs are drawn
 * on purpose.
 */
class Crc32cPropertiesTest {

    /** {@return the seeds: one per case} */
    static LongStream seeds() {
        return LongStream.range(0, 100);
    }

    private static int crc(byte[]... parts) {
        CRC32C crc = new CRC32C();
        for (byte[] part : parts) {
            crc.update(part);
        }
        return (int) crc.getValue();
    }

    /** Random bytes, empty one time in eight. */
    private static byte[] bytes(SplittableRandom random, int max) {
        byte[] bytes = new byte[random.nextInt(8) == 0 ? 0 : random.nextInt(max + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void combiningTheCrcsOfTwoRunsGivesTheCrcOfTheirConcatenation(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] a = bytes(random, 9000);
        // Every other case a long run of zeros: lengths whose operator needs many squarings.
        byte[] b = seed % 2 == 0 ? bytes(random, 9000) : new byte[random.nextInt(1 << 16)];

        assertThat(Crc32c.combine(crc(a), crc(b), Crc32c.shiftOperator(b.length))).as("seed %d", seed)
                .isEqualTo(crc(a, b));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void combiningThreeRunsInEitherOrderOfGroupingGivesTheSameCrc(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] a = bytes(random, 3000);
        byte[] b = bytes(random, 3000);
        byte[] c = bytes(random, 3000);

        int left = Crc32c.combine(Crc32c.combine(crc(a), crc(b), Crc32c.shiftOperator(b.length)), crc(c),
                Crc32c.shiftOperator(c.length));
        int right = Crc32c.combine(crc(a), Crc32c.combine(crc(b), crc(c), Crc32c.shiftOperator(c.length)),
                Crc32c.shiftOperator(b.length + c.length));

        assertThat(left).as("seed %d", seed).isEqualTo(right).isEqualTo(crc(a, b, c));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theByteTableMultipliesAsCombineDoes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int crcA = random.nextInt();
        int crcB = random.nextInt();
        int operator = Crc32c.shiftOperator(random.nextLong(0, 1L << 40));
        int[] table = Crc32c.multiplicationTable(operator);

        int viaTable = table[crcA & 0xff] ^ table[256 + (crcA >>> 8 & 0xff)] ^ table[512 + (crcA >>> 16 & 0xff)]
                ^ table[768 + (crcA >>> 24)] ^ crcB;

        assertThat(viaTable).as("seed %d", seed).isEqualTo(Crc32c.combine(crcA, crcB, operator));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theCrcOfADirectBufferIsTheCrcOfItsBytes(long seed) {
        byte[] bytes = bytes(new SplittableRandom(seed), 9000);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

        assertThat(Crc32c.of(new CRC32C(), direct)).as("seed %d", seed).isEqualTo(crc(bytes));
    }
}
