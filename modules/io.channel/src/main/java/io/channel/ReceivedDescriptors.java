package io.channel;

/**
 * Open file descriptors this process received from another ({@link IOChannel#readWithDescriptors}). Each one is
 * this object's until {@link #take} hands it to the caller; {@link #close()} closes those not taken, so that a
 * descriptor refused on the way (a wrong count, a failed check) never stays open.
 */
public interface ReceivedDescriptors extends AutoCloseable {

    /** {@return how many descriptors arrived} */
    int count();

    /**
     * Hands one descriptor to the caller, who from then on owns it (and closes it, or hands it to an owner).
     *
     * @param index 0 to {@code count() - 1}
     * @return the descriptor
     * @throws IndexOutOfBoundsException if there is no such descriptor
     * @throws IllegalStateException     if it was taken already or this object was closed
     */
    int take(int index);

    /** Closes every descriptor not taken; later calls do nothing. */
    @Override
    void close();
}
