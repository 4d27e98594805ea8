package io.channel.tls;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * How fast this JVM seals and opens TLS records on one core with the cipher of a TLS 1.3 cipher suite, measured
 * on the calling thread the way the JDK's TLS uses the cipher: records of 2^14 bytes with their 5-byte header as
 * additional data, sealed and opened in place in heap memory (an in-place opening is the slower one: the JDK's
 * AES-GCM then hashes and decrypts in two passes instead of its fused intrinsic). Both ends of a TLS connection
 * together pay at least {@link #cpuSecondsPerGib()} for every GiB they move, whatever else the connection costs: it
 * is what bounds TLS on this machine.
 *
 * <p>The cipher is fast only once the JIT has compiled it with the CPU's instructions (AES, carry-less multiply,
 * vector extensions), which takes a fresh JVM a good part of a second and which a JVM without the C2 compiler never
 * does. So {@link #measure} first runs the cipher until the JIT has settled (its compilers idle and the speed
 * steady), up to a limit, and only then measures; {@link #settled()} says whether it got there.
 *
 * @param cipherSuite        the TLS 1.3 cipher suite whose cipher was measured, such as
 *                           {@code TLS_AES_128_GCM_SHA256}
 * @param sealBytesPerSecond plaintext bytes sealed per second of this thread's CPU time
 * @param openBytesPerSecond plaintext bytes opened per second of this thread's CPU time
 * @param warmUp             how long the cipher ran before the measurement, until the JIT had settled
 * @param settled            whether the JIT had settled within the limit; if not, the figures understate what a
 *                           long connection gets in this JVM
 */
public record CipherSpeed(String cipherSuite, double sealBytesPerSecond, double openBytesPerSecond, Duration warmUp,
                          boolean settled) {

    /** Plaintext bytes per record (RFC 8446 section 5.1). */
    static final int RECORD = 1 << 14;
    /** How long each of sealing and opening is measured unless told otherwise. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(50);
    /** The longest warm-up unless told otherwise. */
    public static final Duration DEFAULT_WARM_UP_LIMIT = Duration.ofSeconds(3);
    /** Calls of the cipher each way, on short records, that the warm-up starts with. */
    private static final int WARM_UP_CALLS = 20_000;
    /** The length of those short records. */
    private static final int SHORT_RECORD = 1 << 10;
    /** A step of the warm-up, after which the JIT's state is looked at. */
    private static final long STEP_NANOS = 10_000_000L;
    /** Steps in a row in which the JIT compiled nothing, one condition of "settled". */
    private static final int QUIET_STEPS = 5;
    /** Steps in a row in which neither speed rose by more than {@link #RISE}, another condition. */
    private static final int FLAT_STEPS = 50;
    private static final double RISE = 0.05;
    /** The least ratio of sealing to opening speed of a settled JIT, the last condition. */
    private static final double SEAL_TO_OPEN = 0.8;
    private static final int TAG = 16;
    private static final int HEADER = 5;
    private static final double GIB = 1L << 30;

    /** Checks the components. */
    public CipherSpeed {
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(warmUp, "warmUp");
        if (!(sealBytesPerSecond > 0) || !(openBytesPerSecond > 0)) {
            throw new IllegalArgumentException("speeds must be positive: seal " + sealBytesPerSecond + ", open "
                    + openBytesPerSecond);
        }
    }

    /**
     * Measures the cipher of a suite with the default window and warm-up limit.
     *
     * @param cipherSuite a TLS 1.3 cipher suite: {@code TLS_AES_128_GCM_SHA256}, {@code TLS_AES_256_GCM_SHA384}
     *                    or {@code TLS_CHACHA20_POLY1305_SHA256}
     * @return the speeds
     * @throws IllegalArgumentException if the suite is none of these
     * @throws IllegalStateException    if this JDK lacks the cipher
     */
    public static CipherSpeed measure(String cipherSuite) {
        return measure(cipherSuite, DEFAULT_WINDOW, DEFAULT_WARM_UP_LIMIT);
    }

    /**
     * Measures the cipher of a suite: warms it up until the JIT has settled (or {@code warmUpLimit} has passed),
     * then seals for {@code window} of this thread's CPU time and opens for as long.
     *
     * @param cipherSuite a TLS 1.3 cipher suite, as for {@link #measure(String)}
     * @param window      how long each of sealing and opening is measured, positive
     * @param warmUpLimit the longest warm-up
     * @return the speeds
     * @throws IllegalArgumentException if the suite is unknown or the window not positive
     * @throws IllegalStateException    if this JDK lacks the cipher
     */
    public static CipherSpeed measure(String cipherSuite, Duration window, Duration warmUpLimit) {
        Objects.requireNonNull(warmUpLimit, "warmUpLimit");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the measuring window must be positive: " + window);
        }
        Records records = new Records(Algorithm.of(cipherSuite));
        long start = System.nanoTime();
        boolean settled = warmUp(records, start + warmUpLimit.toNanos());
        Duration warmedUp = Duration.ofNanos(System.nanoTime() - start);
        double seal = records.run(true, window.toNanos());
        double open = records.run(false, window.toNanos());
        return new CipherSpeed(cipherSuite, seal, open, warmedUp, settled);
    }

    /**
     * Seals and opens until the JIT has settled: first {@link #WARM_UP_CALLS} short records each way, so that every
     * method on the path has been called often enough for the JIT's last tier (HotSpot's tier 4 thresholds count
     * calls and loop iterations, and a short record is a call at a fraction of a record's cost), then full records in
     * steps until the JIT has compiled nothing for {@link #QUIET_STEPS} steps, neither speed has risen for
     * {@link #FLAT_STEPS}, and sealing is not much slower than opening. The JIT reaches its last tier in stages,
     * each a plateau that can last a few hundred milliseconds; the last condition catches the plateau where the
     * opening path is compiled and the sealing path not yet: compiled, sealing a record costs no more than opening
     * it in place, which does the same work and more. {@return whether it settled before the deadline}
     */
    private static boolean warmUp(Records records, long deadline) {
        for (int call = 0; call < WARM_UP_CALLS && System.nanoTime() < deadline; call++) {
            records.once(true, SHORT_RECORD);
            records.once(false, SHORT_RECORD);
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compiled = timed ? jit.getTotalCompilationTime() : 0;
        double bestSeal = 0;
        double bestOpen = 0;
        int quiet = 0;
        int flat = 0;
        while (System.nanoTime() < deadline) {
            double seal = records.run(true, STEP_NANOS / 2);
            double open = records.run(false, STEP_NANOS / 2);
            long compiledNow = timed ? jit.getTotalCompilationTime() : compiled;
            quiet = compiledNow == compiled ? quiet + 1 : 0;
            compiled = compiledNow;
            boolean rose = seal > bestSeal * (1 + RISE) || open > bestOpen * (1 + RISE);
            flat = rose ? 0 : flat + 1;
            bestSeal = Math.max(bestSeal, seal);
            bestOpen = Math.max(bestOpen, open);
            if (quiet >= QUIET_STEPS && flat >= FLAT_STEPS && bestSeal >= bestOpen * SEAL_TO_OPEN) {
                return true;
            }
        }
        return false;
    }

    /** {@return the CPU seconds both ends of a connection spend in the cipher per GiB: one sealing, one opening} */
    public double cpuSecondsPerGib() {
        return GIB / sealBytesPerSecond + GIB / openBytesPerSecond;
    }

    /**
     * {@return the figures as the members of a JSON object, named as in the {@code multifd} tool's documents:
     * {@code cipher-suite}, {@code cipher}, {@code seal-bytes-per-second}, {@code open-bytes-per-second},
     * {@code cpu-s-per-gib-both-ends}, {@code warm-up-ms}, {@code settled}}
     */
    public Map<String, Object> jsonMembers() {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("cipher-suite", cipherSuite);
        members.put("cipher", cipher());
        members.put("seal-bytes-per-second", Math.round(sealBytesPerSecond));
        members.put("open-bytes-per-second", Math.round(openBytesPerSecond));
        members.put("cpu-s-per-gib-both-ends", Math.round(cpuSecondsPerGib() * 1000) / 1000.0);
        members.put("warm-up-ms", warmUp.toMillis());
        members.put("settled", settled);
        return members;
    }

    /** {@return the cipher's name, such as {@code AES-128-GCM}} */
    public String cipher() {
        return Algorithm.of(cipherSuite).label;
    }

    /**
     * {@return one line for people} For example {@code AES-128-GCM seals 9.4 GB/s and opens 4.1 GB/s on one core
     * (in place, as the JDK's TLS does): 0.35 CPU-s/GiB for both ends}.
     */
    public String describe() {
        return String.format(Locale.ROOT, "%s seals %.1f GB/s and opens %.1f GB/s on one core (in place, as the"
                        + " JDK's TLS does): %.2f CPU-s/GiB for both ends%s", cipher(), sealBytesPerSecond / 1e9,
                openBytesPerSecond / 1e9, cpuSecondsPerGib(), settled ? ""
                        : "; the JIT had not settled after " + warmUp.toMillis() + " ms, so this understates it");
    }

    /** The cipher of each TLS 1.3 suite (RFC 8446 appendix B.4). */
    private enum Algorithm {
        AES_128_GCM("TLS_AES_128_GCM_SHA256", "AES/GCM/NoPadding", "AES", 16, "AES-128-GCM"),
        AES_256_GCM("TLS_AES_256_GCM_SHA384", "AES/GCM/NoPadding", "AES", 32, "AES-256-GCM"),
        CHACHA20_POLY1305("TLS_CHACHA20_POLY1305_SHA256", "ChaCha20-Poly1305", "ChaCha20", 32,
                "ChaCha20-Poly1305");

        final String suite;
        final String transformation;
        final String keyAlgorithm;
        final int keyBytes;
        final String label;

        Algorithm(String suite, String transformation, String keyAlgorithm, int keyBytes, String label) {
            this.suite = suite;
            this.transformation = transformation;
            this.keyAlgorithm = keyAlgorithm;
            this.keyBytes = keyBytes;
            this.label = label;
        }

        static Algorithm of(String suite) {
            for (Algorithm algorithm : values()) {
                if (algorithm.suite.equals(suite)) {
                    return algorithm;
                }
            }
            throw new IllegalArgumentException("unknown TLS 1.3 cipher suite '" + suite + "'; expected one of"
                    + " TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256");
        }

        AlgorithmParameterSpec nonce(byte[] nonce) {
            return this == CHACHA20_POLY1305 ? new IvParameterSpec(nonce) : new GCMParameterSpec(TAG * 8, nonce);
        }
    }

    /** One record's buffers and the cipher, as the JDK's TLS record layer uses them. */
    private static final class Records {

        private final Algorithm algorithm;
        private final Cipher cipher;
        private final SecretKeySpec key;
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
        /** Header (5 bytes) then the record; sealed and opened in place. */
        private final ByteBuffer work = ByteBuffer.allocate(HEADER + RECORD + TAG);
        /** A sealed record and a sealed short one, copied into {@link #work} before each opening. */
        private final byte[] sealed = new byte[HEADER + RECORD + TAG];
        private final byte[] sealedShort = new byte[HEADER + SHORT_RECORD + TAG];
        private final byte[] sealedNonce = new byte[12];
        private final byte[] sealedShortNonce = new byte[12];
        private final byte[] nonce = new byte[12];
        private long counter;

        Records(Algorithm algorithm) {
            this.algorithm = algorithm;
            try {
                this.cipher = Cipher.getInstance(algorithm.transformation);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK has no " + algorithm.label + ": " + e.getMessage(), e);
            }
            SecureRandom random = new SecureRandom();
            byte[] keyBytes = new byte[algorithm.keyBytes];
            random.nextBytes(keyBytes);
            this.key = new SecretKeySpec(keyBytes, algorithm.keyAlgorithm);
            random.nextBytes(sealedNonce);
            random.nextBytes(sealedShortNonce);
            sealOnce(sealed, sealedNonce, RECORD, random);
            sealOnce(sealedShort, sealedShortNonce, SHORT_RECORD, random);
        }

        /** {@return plaintext bytes per second of CPU time while sealing or opening records for about this long} */
        double run(boolean seal, long nanos) {
            long bytes = 0;
            long start = now();
            long spent;
            do {
                once(seal, RECORD);
                bytes += RECORD;
                spent = now() - start;
            } while (spent < nanos);
            return bytes * 1e9 / Math.max(1, spent);
        }

        /** Makes {@code into} a record of random plaintext sealed with this nonce. */
        private void sealOnce(byte[] into, byte[] iv, int length, SecureRandom random) {
            random.nextBytes(into);
            System.arraycopy(into, 0, work.array(), 0, into.length);
            seal(iv, length);
            System.arraycopy(work.array(), 0, into, 0, into.length);
        }

        /** Seals, or opens, one record of {@code length} plaintext bytes: {@link #RECORD} or {@link #SHORT_RECORD}. */
        void once(boolean seal, int length) {
            if (seal) {
                counter++;
                for (int i = 0; i < Long.BYTES; i++) {
                    nonce[nonce.length - 1 - i] = (byte) (counter >>> (8 * i));
                }
                seal(nonce, length);
            } else {
                byte[] record = length == RECORD ? sealed : sealedShort;
                System.arraycopy(record, 0, work.array(), 0, record.length);
                open(length == RECORD ? sealedNonce : sealedShortNonce, length);
            }
        }

        private long now() {
            return cpuTime ? threads.getCurrentThreadCpuTime() : System.nanoTime();
        }

        private void seal(byte[] iv, int length) {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, algorithm.nonce(iv));
                cipher.updateAAD(work.array(), 0, HEADER);
                ByteBuffer plaintext = work.duplicate().position(HEADER).limit(HEADER + length);
                cipher.doFinal(plaintext, work.duplicate().position(HEADER).limit(work.capacity()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(algorithm.label + " refused to seal a record: " + e.getMessage(), e);
            }
        }

        private void open(byte[] iv, int length) {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, algorithm.nonce(iv));
                cipher.updateAAD(work.array(), 0, HEADER);
                ByteBuffer ciphertext = work.duplicate().position(HEADER).limit(HEADER + length + TAG);
                cipher.doFinal(ciphertext, work.duplicate().position(HEADER));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(algorithm.label + " refused to open a record: " + e.getMessage(), e);
            }
        }
    }
}
