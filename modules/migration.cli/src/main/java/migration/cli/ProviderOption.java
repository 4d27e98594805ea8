package migration.cli;

import picocli.CommandLine.Option;

/**
 * {@code --provider}: which channel provider a command uses, as a picocli mixin. It replaces
 * {@code JDK_JAVA_OPTIONS=-Dio.channel.provider=...}, which still works when the option is not given.
 */
final class ProviderOption {

    /** The value that asks for the best available provider. */
    static final String AUTO = "auto";

    @Option(names = "--provider", paramLabel = "NAME", converter = OptionConverters.Provider.class,
            description = "Channel provider: auto (the best available; the default), linux (zero-copy capable; "
                    + "fails with its cause where unavailable) or copy (portable, java.nio).")
    private String name;

    /** {@return the provider asked for, or {@code null} for the best available one} */
    String name() {
        return name;
    }
}
