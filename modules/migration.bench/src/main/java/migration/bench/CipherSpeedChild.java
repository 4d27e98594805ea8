package migration.bench;

import io.channel.tls.CipherSpeed;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What bounds TLS on this machine, for the report: the speed of the cipher the TLS rows negotiate
 * ({@link CipherSpeed}), measured in a child JVM started as the steady-state workers are, with both JIT compilers
 * (the cipher is fast only once C2 has compiled it, and the runner itself runs with C1 alone when the launcher
 * starts it). The child is this module's main class with the first argument {@value #NAME}; it prints one line,
 * {@code CIPHER <suite> <seal bytes/s> <open bytes/s> <warm-up ms> <settled>}.
 */
final class CipherSpeedChild {

    /** The first argument that makes {@link BenchTool} run the child. */
    static final String NAME = "cipher-speed";
    private static final String PREFIX = "CIPHER";
    /** How long the child may take: its warm-up is bounded by {@link CipherSpeed#DEFAULT_WARM_UP_LIMIT}. */
    private static final long TIMEOUT_SECONDS = 60;

    private CipherSpeedChild() {
    }

    /**
     * Measures in this process and prints the line: the child's side.
     *
     * @param out  where the line goes
     * @param args the suite, alone
     * @return the exit status: 0, or 2 for a usage error
     */
    static int run(PrintWriter out, String... args) {
        if (args.length != 1) {
            out.println("usage: " + NAME + " SUITE");
            return 2;
        }
        out.println(line(CipherSpeed.measure(args[0])));
        out.flush();
        return 0;
    }

    /**
     * Runs the child and reads its line: the runner's side.
     *
     * @param suite the TLS 1.3 cipher suite
     * @return what the child measured
     * @throws IOException if the child failed or printed no line; the message says why
     */
    static CipherSpeed measure(String suite) throws IOException {
        try (ToolProcess child = ToolProcess.start(WorkerProcess.bench(NAME, suite), "the cipher speed's child")) {
            List<String> output = child.awaitSuccess(TIMEOUT_SECONDS);
            for (String line : output) {
                if (line.startsWith(PREFIX + " ")) {
                    return parse(line);
                }
            }
            throw new IOException("the cipher speed's child printed no " + PREFIX + " line: "
                    + String.join(" / ", output));
        }
    }

    /** {@return the line for a measurement} @param speed the measurement */
    static String line(CipherSpeed speed) {
        return String.format(Locale.ROOT, "%s %s %.0f %.0f %d %b", PREFIX, speed.cipherSuite(),
                speed.sealBytesPerSecond(), speed.openBytesPerSecond(), speed.warmUp().toMillis(), speed.settled());
    }

    /**
     * {@return the measurement a line gives}
     * @param line as {@link #line} writes it
     * @throws IOException if it is not such a line
     */
    static CipherSpeed parse(String line) throws IOException {
        String[] words = line.split(" ");
        if (words.length != 6 || !words[0].equals(PREFIX)) {
            throw new IOException("not a cipher speed line: '" + line + "'");
        }
        try {
            return new CipherSpeed(words[1], Double.parseDouble(words[2]), Double.parseDouble(words[3]),
                    Duration.ofMillis(Long.parseLong(words[4])), Boolean.parseBoolean(words[5]));
        } catch (IllegalArgumentException e) {
            throw new IOException("not a cipher speed line: '" + line + "': " + e.getMessage(), e);
        }
    }
}
