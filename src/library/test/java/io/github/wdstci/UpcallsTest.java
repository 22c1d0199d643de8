package io.github.wdstci;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveContents;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientReceiveMetadata;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionComplete;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionNegotiate;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStart;
import io.github.wdstci.internal.ffi.PFN_WdsTransportClientSessionStartEx;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/**
 * Upcalls makes its stubs from descriptors of its own rather than through the
 * generated PFN_ classes (whose initialisers also make a downcall handle each):
 * they must be the generated ones, which AbiSignatureTest checks against the header.
 */
class UpcallsTest {

    @Test
    void theStubsHaveTheDescriptorsOfTheGeneratedCallbackTypes() {
        assertThat(Upcalls.SESSION_START_DESC).isEqualTo(PFN_WdsTransportClientSessionStart.descriptor())
                .isEqualTo(PFN_WdsTransportClientSessionStartEx.descriptor());
        assertThat(Upcalls.RECEIVE_METADATA_DESC).isEqualTo(PFN_WdsTransportClientReceiveMetadata.descriptor());
        assertThat(Upcalls.RECEIVE_CONTENTS_DESC).isEqualTo(PFN_WdsTransportClientReceiveContents.descriptor());
        assertThat(Upcalls.SESSION_COMPLETE_DESC).isEqualTo(PFN_WdsTransportClientSessionComplete.descriptor());
        assertThat(Upcalls.Negotiate.DESC).isEqualTo(PFN_WdsTransportClientSessionNegotiate.descriptor());
    }

    /** A handler that does nothing with metadata costs no metadata stub (a cold start's upcall shape). */
    @Test
    void onlyAListenerThatOverridesOnMetadataHearsIt() {
        ContentHandler lambda = (block, offset) -> { };
        assertThat(Upcalls.hearsMetadata(lambda)).isFalse();
        assertThat(Upcalls.hearsMetadata(ContentHandlers.discarding())).isFalse();
        AsyncContentHandler async = Block::close;
        assertThat(Upcalls.hearsMetadata(async)).isFalse();

        ContentHandler hears = new ContentHandler() {
            @Override
            public void onMetadata(MemorySegment metadata) {
            }

            @Override
            public void onContent(MemorySegment block, long offset) {
            }
        };
        assertThat(Upcalls.hearsMetadata(hears)).isTrue();
        // a forwarding wrapper passes metadata on, so it hears it, whatever it wraps
        assertThat(Upcalls.hearsMetadata(new ForwardingContentHandler(lambda) {
        })).isTrue();
        // inherited overrides count
        class Sub extends ForwardingContentHandler {
            Sub() {
                super(lambda);
            }
        }
        assertThat(Upcalls.hearsMetadata(new Sub() {
        })).isTrue();
    }

    /** A type that the loader below hides, so that reflecting on a class naming it fails. */
    public static final class Hidden {
    }

    /** A listener with a public method whose parameter type its loader cannot find. */
    public static final class NamesAHiddenType implements ContentHandler {
        @Override
        public void onContent(MemorySegment block, long offset) {
        }

        public void use(Hidden h) {
        }
    }

    /** When reflection cannot tell (a missing class), the metadata callback is registered: nothing is lost. */
    @Test
    void aListenerThatCannotBeReflectedOnHearsMetadata() throws Exception {
        ClassLoader parent = UpcallsTest.class.getClassLoader();
        ClassLoader hiding = new ClassLoader(parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(Hidden.class.getName())) {
                    throw new ClassNotFoundException(name);
                }
                if (name.equals(NamesAHiddenType.class.getName())) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        if (c == null) {
                            byte[] b;
                            try (var in = parent.getResourceAsStream(name.replace('.', '/') + ".class")) {
                                b = in.readAllBytes();
                            } catch (java.io.IOException e) {
                                throw new ClassNotFoundException(name, e);
                            }
                            c = defineClass(name, b, 0, b.length);
                        }
                        return c;
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        SessionListener listener = (SessionListener) hiding.loadClass(NamesAHiddenType.class.getName())
                .getConstructor().newInstance();
        assertThat(listener.getClass().getClassLoader()).isSameAs(hiding);
        assertThat(Upcalls.hearsMetadata(listener)).isTrue();
    }
}
