package io.github.wdstci;

/**
 * Receives progress of a transfer; see {@link ContentHandlers#withProgress}.
 * Called on the transport's callback thread: return quickly, do not block.
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * Progress so far.
     *
     * @param receivedBytes  bytes received so far
     * @param totalBytes     the object's size, or -1 before the session started
     * @param bytesPerSecond average rate since the session started
     */
    void onProgress(long receivedBytes, long totalBytes, double bytesPerSecond);
}
