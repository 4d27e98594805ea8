package migration.cli;

import io.channel.ChannelProviders;
import io.channel.memory.PageMemory;
import io.channel.spi.ChannelProvider;
import io.channel.tls.CipherSpeed;
import io.channel.tls.TlsParameters;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import migration.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code multifd info}: which channel providers exist here, which one would be used, the host's limits, the TLS
 * setup and the JIT compilers in effect.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows the channel providers found, each one's availability (and why not), the one a "
                + "migration would use (--provider, or -Dio.channel.provider), the host limits that decide what "
                + "zero-copy can pin (RLIMIT_MEMLOCK, net.core.optmem_max), the memory provider, the dirty tracker "
                + "a live migration gives each kind of memory (and why), and the TLS setup send and receive would "
                + "run with the same --tls-* options (credentials loaded and checked as they would be), and the "
                + "JIT compilers this run of the tool has (and how to replace the launcher's choice)."},
        footer = {"", "Exit codes: 0, or 1 when no channel provider can be used here or the TLS credentials are"
                + " unusable (the message names the file)."})
final class InfoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON document: providers, chosen, diagnostics "
            + "(by provider name; counts and sizes as numbers), memory-provider, dirty-trackers, tls, jit.")
    private boolean json;

    @Mixin
    private ProviderOption provider;

    @Mixin
    private TlsOptions tls;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        // First, as send and receive do: unusable credentials end the command, naming the file.
        TlsParameters tlsParameters = tls.parameters();
        // What bounds TLS here: the cipher of the suite a destination would choose (with these options, or by
        // default), as fast as this JVM runs it once C2 has compiled it (the launcher's rule lets C2 compile the
        // JDK's cipher code in every run).
        CipherSpeed cipherSpeed = CipherSpeed.measure(tlsParameters == null || tlsParameters.cipherSuites().isEmpty()
                ? TlsParameters.CIPHER_SUITES.getFirst() : tlsParameters.cipherSuites().getFirst());
        TlsReport tlsReport = new TlsReport(tlsParameters, tlsParameters == null ? null : tls.sources(),
                Instant.now(), cipherSpeed);
        TrackerSurvey trackers = TrackerSurvey.run();
        List<ChannelProvider> providers = ChannelProviders.all();
        String chosen = null;
        String chosenWhy;
        try {
            ChannelProviders.Selection selection = provider.name() == null ? ChannelProviders.select()
                    : ChannelProviders.select(providers, provider.name());
            chosen = selection.chosen().name();
            chosenWhy = provider.name() != null ? "asked for with --provider"
                    : selection.forced() ? "forced by -D" + ChannelProviders.PROVIDER_PROPERTY + "=" + chosen
                    : selection.rejections().getSuppressed().length > 0 ? selection.describe()
                    : "the available provider with the highest priority";
        } catch (RuntimeException e) {
            chosenWhy = OneLine.of(e);
        }
        // A destination (receive, and demo's destination side) picks on its own: see selectForCopying.
        String receiving = chosen;
        String receivingWhy = "as for sending";
        if (provider.name() == null && chosen != null) {
            try {
                receiving = ChannelProviders.selectForCopying().chosen().name();
                receivingWhy = receiving.equals(chosen) ? "as for sending"
                        : "a destination only receives, and zero-copy is a way of sending";
            } catch (RuntimeException e) {
                receivingWhy = OneLine.of(e);
            }
        }
        String memory = PageMemory.provider().name();
        JitReport jit = JitReport.current();
        if (json) {
            Map<String, Object> document = document(providers, chosen, chosenWhy, memory);
            document.put("receiving", receiving);
            document.put("receiving-why", receivingWhy);
            // The same choice: a source that will not ask for zero-copy picks like a destination (ZeroCopyPlan).
            document.put("copying-sends", receiving);
            document.put("dirty-trackers", trackers.toJson());
            document.put("tls", tlsReport.toJson());
            document.put("jit", jit.toJson());
            out.println(Json.write(document));
        } else {
            out.print(text(providers, chosen, chosenWhy, memory));
            out.println("receiving: " + (receiving == null ? "none" : receiving) + " (" + receivingWhy + ")");
            out.println("copying sends: " + (receiving == null ? "none" : receiving) + " (a send that will not ask"
                    + " for zero-copy: TLS, --zero-copy off, or auto to an address of this host, where the kernel"
                    + " copies zero-copy sends anyway)");
            out.print(trackers.toText());
            out.print(tlsReport.toText());
            out.print(jit.toText());
        }
        out.flush();
        if (chosen == null) {
            throw new CommandFailure("no channel provider can be used: " + chosenWhy);
        }
        return 0;
    }

    private static Map<String, Object> document(List<ChannelProvider> providers, String chosen, String chosenWhy,
                                                String memory) {
        List<Object> list = new ArrayList<>();
        Map<String, Object> diagnostics = new LinkedHashMap<>();
        for (ChannelProvider provider : providers) {
            Map<String, Object> entry = new LinkedHashMap<>();
            Throwable cause = provider.unavailabilityCause();
            entry.put("name", provider.name());
            entry.put("priority", provider.priority());
            entry.put("available", cause == null);
            entry.put("zero-copy", provider.supportsZeroCopy());
            entry.put("cause", cause == null ? null : OneLine.of(cause));
            list.add(entry);
            Map<String, String> facts = provider.diagnostics();
            if (!facts.isEmpty()) {
                Map<String, Object> values = new LinkedHashMap<>();
                facts.forEach((key, value) -> values.put(key, DiagnosticValue.of(value)));
                diagnostics.put(provider.name(), values);
            }
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("providers", list);
        document.put("chosen", chosen);
        document.put("chosen-why", chosenWhy);
        document.put("diagnostics", diagnostics);
        document.put("memory-provider", memory);
        return document;
    }

    private static String text(List<ChannelProvider> providers, String chosen, String chosenWhy, String memory) {
        StringBuilder text = new StringBuilder();
        String nl = System.lineSeparator();
        text.append("channel providers (highest priority first):").append(nl);
        int width = providers.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        for (ChannelProvider provider : providers) {
            Throwable cause = provider.unavailabilityCause();
            text.append("  ").append(provider.name()).append(" ".repeat(width - provider.name().length()))
                    .append("  priority ").append(provider.priority())
                    .append(", ").append(provider.supportsZeroCopy() ? "zero-copy" : "copying only")
                    .append(", ").append(cause == null ? "available" : "unavailable: " + OneLine.of(cause))
                    .append(nl);
        }
        text.append("chosen: ").append(chosen == null ? "none" : chosen).append(" (").append(chosenWhy).append(')')
                .append(nl);
        for (ChannelProvider provider : providers) {
            Map<String, String> facts = provider.diagnostics();
            if (facts.isEmpty()) {
                continue;
            }
            text.append(provider.name()).append(" diagnostics:").append(nl);
            int keyWidth = facts.keySet().stream().mapToInt(String::length).max().orElse(0);
            facts.forEach((key, value) -> text.append("  ").append(key).append(" ".repeat(keyWidth - key.length()))
                    .append("  ").append(value).append(nl));
        }
        text.append("memory provider: ").append(memory).append(nl);
        return text.toString();
    }
}
