package migration.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code multifd bench}: placeholder until the benchmark lands. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark (not implemented yet).")
final class BenchCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("multifd bench: not implemented yet");
        return 2;
    }
}
