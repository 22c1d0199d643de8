package io.github.wdstci.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import io.github.wdstci.ContentHandlers;

/**
 * A stream that keeps nothing written to it: {@code /dev/null} or {@code /dev/zero}, named
 * or as standard output ({@code -o - > /dev/null}). A {@link StreamSink} there would put the
 * blocks in order first, spooling those that arrive early to a temporary file, for a device
 * that drops them: this sink checks each block's place, counts it and drops it, writing
 * nothing at all. (With {@code --sha256} the bytes are hashed in order, which a
 * {@link StreamSink} does.)
 */
final class NullSink implements Sink {

    private final String shown;
    private final boolean stdout;
    private long fileSize = -1;               // written before the first block (the session's start)
    private long received;                    // guarded by this

    /**
     * @param shown  the output as the user named it
     * @param stdout whether it is standard output
     */
    NullSink(String shown, boolean stdout) {
        this.shown = shown;
        this.stdout = stdout;
    }

    @Override
    public synchronized void start(long size) {
        fileSize = size;
    }

    @Override
    public synchronized void write(MemorySegment block, long offset) throws IOException {
        ContentHandlers.checkBlock(offset, block.byteSize(), fileSize);
        received += block.byteSize();
    }

    @Override
    public synchronized void finish() throws IOException {
        if (received != fileSize) {
            throw new IOException("received " + received + " of " + fileSize + " bytes");
        }
    }

    @Override
    public String commit(String sha256, Check stop) {
        return null;
    }

    @Override
    public void abort() {
    }

    @Override
    public String abandoned() {
        return "nothing was kept: " + (stdout ? "standard output" : shown) + " keeps nothing";
    }

    @Override
    public String shown() {
        return shown;
    }
}
