package io.github.wdstci;

/**
 * The answer to the server's negotiate callback: which byte ranges of the object
 * the client needs. Valid only during {@link SessionListener#onNegotiate}; asking
 * for no range means the whole object.
 */
public interface Negotiation {

    /**
     * Asks for the bytes {@code [start, start + size)}.
     *
     * @param start the first byte wanted
     * @param size  how many bytes from there
     * @throws IllegalArgumentException if the range is negative or outside the object
     * @throws IllegalStateException    after the negotiate callback returned
     * @throws WdsTransportException    if the library refuses the range
     */
    void require(long start, long size) throws WdsTransportException;
}
