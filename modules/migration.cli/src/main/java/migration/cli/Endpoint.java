package migration.cli;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Where a migration connects or listens, as typed: {@code HOST:PORT} (TCP, {@link HostPort}) or
 * {@code unix:PATH} (a Unix domain socket on this host).
 *
 * @param tcp  the host and port, or {@code null} for a Unix domain socket
 * @param unix the socket's path, or {@code null} for TCP
 */
record Endpoint(HostPort tcp, Path unix) {

    /** The prefix that marks a Unix domain socket. */
    static final String UNIX = "unix:";
    /** {@code sun_path} of {@code struct sockaddr_un} holds 108 bytes with the terminating NUL ({@code man 7 unix}). */
    private static final int MAX_PATH_BYTES = 107;

    /**
     * Parses {@code HOST:PORT} or {@code unix:PATH}.
     *
     * @param text          the text
     * @param allowPortZero whether port 0 ("any free port", for listening) is accepted
     * @return the endpoint
     * @throws IllegalArgumentException saying what is wrong
     */
    static Endpoint parse(String text, boolean allowPortZero) {
        if (text != null && text.strip().startsWith(UNIX)) {
            String path = text.strip().substring(UNIX.length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("missing path after 'unix:', as in unix:/run/multifd.sock");
            }
            int bytes = path.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_PATH_BYTES) {
                throw new IllegalArgumentException("the socket path has " + bytes + " bytes, more than the "
                        + MAX_PATH_BYTES + " a Unix domain socket takes (man 7 unix)");
            }
            return new Endpoint(null, Path.of(path));
        }
        return new Endpoint(HostPort.parse(text, allowPortZero), null);
    }

    /** {@return whether this is a Unix domain socket} */
    boolean isUnix() {
        return unix != null;
    }

    /**
     * Resolves an option's value: looks a host up, or makes the Unix domain socket's address.
     *
     * @param line   the command, for the usage error
     * @param option the option's name, such as {@code --to}
     * @return the address
     * @throws ParameterException naming the option, its value and why
     */
    SocketAddress resolveOption(CommandLine line, String option) {
        return isUnix() ? UnixDomainSocketAddress.of(unix) : tcp.resolveOption(line, option);
    }

    @Override
    public String toString() {
        return isUnix() ? UNIX + unix : tcp.toString();
    }
}
