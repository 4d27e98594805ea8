package io.channel;

/** Which half of a connection {@link IOChannel#shutdown(ShutdownDirection)} closes. */
public enum ShutdownDirection {
    /** No further reads; pending and later reads return end of stream. */
    READ,
    /** No further writes; the peer reads end of stream after the data already sent. */
    WRITE,
    /** Both directions; wakes threads blocked in reads or writes on the channel. */
    BOTH
}
