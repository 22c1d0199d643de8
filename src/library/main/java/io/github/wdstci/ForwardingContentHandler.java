package io.github.wdstci;

import java.lang.foreign.MemorySegment;

/**
 * A {@link ContentHandler} that forwards every call to another one: extend it
 * and override what you add to, calling {@code super} to keep the delegate's
 * behaviour. For example, to write a file and also keep the metadata:
 *
 * <pre>{@code
 * ContentHandler handler = new ForwardingContentHandler(ContentHandlers.toFile(target)) {
 *     @Override
 *     public void onMetadata(MemorySegment metadata) throws Exception {
 *         Files.write(target.resolveSibling("image.meta"), metadata.toArray(ValueLayout.JAVA_BYTE));
 *         super.onMetadata(metadata);
 *     }
 * };
 * }</pre>
 *
 * <p>{@link #negotiates()} is forwarded too, so a wrapper negotiates exactly
 * when its delegate does.
 */
public abstract class ForwardingContentHandler implements ContentHandler {

    private final ContentHandler delegate;

    /**
     * A handler forwarding to {@code delegate}.
     *
     * @param delegate the handler every call goes to
     * @throws IllegalArgumentException if delegate is null
     */
    protected ForwardingContentHandler(ContentHandler delegate) {
        if (delegate == null) {
            throw new IllegalArgumentException("delegate must not be null");
        }
        this.delegate = delegate;
    }

    /**
     * The handler calls are forwarded to.
     *
     * @return the delegate
     */
    protected final ContentHandler delegate() {
        return delegate;
    }

    @Override
    public void onStart(StartInfo info) throws Exception {
        delegate.onStart(info);
    }

    @Override
    public void onMetadata(MemorySegment metadata) throws Exception {
        delegate.onMetadata(metadata);
    }

    @Override
    public boolean negotiates() {
        return delegate.negotiates();
    }

    @Override
    public void onNegotiate(StartInfo info, Negotiation negotiation) throws Exception {
        delegate.onNegotiate(info, negotiation);
    }

    @Override
    public void onContent(MemorySegment block, long offset) throws Exception {
        delegate.onContent(block, offset);
    }

    @Override
    public void onSuccess() throws Exception {
        delegate.onSuccess();
    }

    @Override
    public void onFailure(Throwable cause) {
        delegate.onFailure(cause);
    }
}
