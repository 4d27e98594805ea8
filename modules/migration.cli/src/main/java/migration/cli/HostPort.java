package migration.cli;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A {@code HOST:PORT} as typed: {@code 127.0.0.1:4444}, {@code [::1]:4444}, {@code example.com:4444}.
 * Parsing checks only the form; {@link #resolve()} looks the host up.
 *
 * @param host a host name or an IP address literal (IPv6 without brackets)
 * @param port 0 to 65535
 */
record HostPort(String host, int port) {

    private static final String EXPECTED = "expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\\.?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    /**
     * Parses {@code HOST:PORT}.
     *
     * @param text          the text
     * @param allowPortZero whether port 0 ("any free port", for listening) is accepted
     * @return the parsed address
     * @throws IllegalArgumentException saying what is wrong
     */
    static HostPort parse(String text, boolean allowPortZero) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(EXPECTED);
        }
        String value = text.strip();
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after the IPv6 address; " + EXPECTED);
            }
            host = value.substring(1, close);
            if (!IPV6.matcher(host).matches() || !host.contains(":")) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address; " + EXPECTED);
            }
            String rest = value.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("missing port; " + EXPECTED);
            }
            port = rest.substring(1);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("missing port; " + EXPECTED);
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("an IPv6 address needs brackets, as in [::1]:4444");
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("missing host; " + EXPECTED);
            }
            if (!HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or address; " + EXPECTED);
            }
        }
        return new HostPort(host, parsePort(port, allowPortZero));
    }

    private static int parsePort(String text, boolean allowZero) {
        int min = allowZero ? 0 : 1;
        String range = "expected a port from " + min + " to 65535";
        if (text.isEmpty()) {
            throw new IllegalArgumentException("missing port; " + EXPECTED);
        }
        if (!text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5) {
            throw new IllegalArgumentException("port '" + text + "' is not a number; " + range);
        }
        int port = Integer.parseInt(text);
        if (port < min || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range; " + range
                    + (allowZero ? " (0 picks a free port)" : ""));
        }
        return port;
    }

    /**
     * Looks the host up.
     *
     * @return the resolved address
     * @throws IllegalArgumentException if the host cannot be resolved
     */
    InetSocketAddress resolve() {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'");
        }
        return address;
    }

    /**
     * Looks the host of an option's value up; a host that does not resolve is a usage error.
     *
     * @param line   the command, for the usage error
     * @param option the option's name, such as {@code --to}
     * @return the resolved address
     * @throws ParameterException naming the option, its value and why
     */
    InetSocketAddress resolveOption(CommandLine line, String option) {
        try {
            return resolve();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(line, "invalid " + option + " '" + this + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@return an address as {@code 127.0.0.1:4444} or {@code [::1]:4444}, without a leading slash} */
    static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip == null ? address.getHostString() : ip.getHostAddress();
        return (ip instanceof Inet6Address || host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
