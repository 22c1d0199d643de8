package io.github.wdstci.internal.ffi;

import static io.github.wdstci.internal.ffi.wdstci_h.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.github.wdstci.internal.NativeLibrary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stand-in built like the Vista SP1 DLL ({@code VISTA=1},
 * {@code libwdstptc-vista.so}, system property {@code wdstci.test.vista}):
 * it lacks CancelSessionEx and NegotiateRequiredDataRange, knows five
 * callback ids, and otherwise runs sessions as the default build does.
 *
 * <p>The library is opened beside the default build, through its own
 * {@link SymbolLookup}, and never unloaded (its delivery threads may still be
 * leaving its code when Shutdown returns). The sanitized run points the
 * property at the sanitized Vista build, so that build runs under ASan too.
 */
@Tag("contract")
class StandinVistaTest {

    /** The functions of the Vista SP1 DLL's import library (contract section 9, less two undocumented ones). */
    static final List<String> VISTA_FUNCTIONS = List.of("Initialize", "InitializeSession", "RegisterCallback",
            "StartSession", "CompleteReceive", "CancelSession", "WaitForCompletion", "QueryStatus", "CloseSession",
            "AddRefBuffer", "ReleaseBuffer", "Shutdown");

    static final List<String> LATER_FUNCTIONS = List.of("CancelSessionEx", "NegotiateRequiredDataRange");

    private static SymbolLookup vista;

    @BeforeAll
    static void openTheVistaBuild() {
        // The generated descriptors used below live in holder classes that resolve
        // their symbol in the default build, which must therefore be loaded.
        NativeLibrary.load();
        Path lib = Path.of(System.getProperty("wdstci.test.vista", "target/native/plain/libwdstptc-vista.so"));
        assertThat(lib).exists();
        vista = SymbolLookup.libraryLookup(lib, Arena.global());
    }

    static MethodHandle vistaFunction(String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(vista.find(name).orElseThrow(), descriptor);
    }

    @FunctionalInterface
    interface UpcallBody {
        void run() throws Throwable;
    }

    /** Runs an upcall body, keeping whatever it throws. */
    static void guarded(Queue<Throwable> errors, UpcallBody body) {
        try {
            body.run();
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    @Test
    void exportsTheTwelveFunctionsOfTheVistaDllAndNotTheLaterTwo() {
        for (String f : VISTA_FUNCTIONS) {
            assertThat(vista.find("WdsTransportClient" + f)).as(f).isPresent();
        }
        for (String f : LATER_FUNCTIONS) {
            assertThat(vista.find("WdsTransportClient" + f)).as(f).isEmpty();
            assertThat(NativeLibrary.load().find("WdsTransportClient" + f)).as("the default build exports " + f)
                    .isPresent();
        }
    }

    @Test
    void knowsFiveCallbackIdsAndRunsASession() throws Throwable {
        MethodHandle initialize = vistaFunction("WdsTransportClientInitialize", WdsTransportClientInitialize$descriptor());
        MethodHandle shutdown = vistaFunction("WdsTransportClientShutdown", WdsTransportClientShutdown$descriptor());
        MethodHandle initializeSession = vistaFunction("WdsTransportClientInitializeSession",
                WdsTransportClientInitializeSession$descriptor());
        MethodHandle register = vistaFunction("WdsTransportClientRegisterCallback",
                WdsTransportClientRegisterCallback$descriptor());
        MethodHandle start = vistaFunction("WdsTransportClientStartSession", WdsTransportClientStartSession$descriptor());
        MethodHandle completeReceive = vistaFunction("WdsTransportClientCompleteReceive",
                WdsTransportClientCompleteReceive$descriptor());
        MethodHandle waitForCompletion = vistaFunction("WdsTransportClientWaitForCompletion",
                WdsTransportClientWaitForCompletion$descriptor());
        MethodHandle queryStatus = vistaFunction("WdsTransportClientQueryStatus", WdsTransportClientQueryStatus$descriptor());
        MethodHandle close = vistaFunction("WdsTransportClientCloseSession", WdsTransportClientCloseSession$descriptor());
        MethodHandle counters = vistaFunction("WdsStandinQueryCounters",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        int[] result = {-1};
        try (Arena arena = Arena.ofShared()) {
            assertThat((int) initialize.invoke()).as("Initialize").isZero();
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            assertThat((int) initializeSession.invoke(Raw.synthetic(arena, "256KiB?block=64KiB"), MemorySegment.NULL, out))
                    .as("InitializeSession").isZero();
            MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);

            // Each upcall body catches Throwable: an exception escaping it would kill the JVM.
            MemorySegment onStart = PFN_WdsTransportClientSessionStart.allocate(
                    (h, c, size) -> guarded(errors, () -> events.add("start")), arena);
            MemorySegment onStartEx = PFN_WdsTransportClientSessionStartEx.allocate(
                    (h, c, info) -> guarded(errors, () -> events.add("startex")), arena);
            MemorySegment onMetadata = PFN_WdsTransportClientReceiveMetadata.allocate(
                    (h, c, m, n) -> guarded(errors, () -> events.add("metadata")), arena);
            MemorySegment onContents = PFN_WdsTransportClientReceiveContents.allocate(
                    (h, c, data, size, offset) -> guarded(errors, () -> {
                        events.add("contents");
                        int rc = (int) completeReceive.invoke(h, size, offset);
                        if (rc != 0) {
                            throw new AssertionError("CompleteReceive returned " + rc);
                        }
                    }), arena);
            MemorySegment onComplete = PFN_WdsTransportClientSessionComplete.allocate(
                    (h, c, error) -> guarded(errors, () -> {
                        events.add("complete");
                        result[0] = error;
                    }), arena);
            MemorySegment onNegotiate = PFN_WdsTransportClientSessionNegotiate.allocate(
                    (h, c, info, key) -> guarded(errors, () -> events.add("negotiate")), arena);

            assertThat((int) register.invoke(handle, WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE(), onNegotiate))
                    .as("SESSION_NEGOTIATE (5) is unknown to the Vista-era DLL").isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat((int) register.invoke(handle, WDS_TRANSPORTCLIENT_SESSION_START(), onStart)).isZero();
            assertThat((int) register.invoke(handle, WDS_TRANSPORTCLIENT_SESSION_STARTEX(), onStartEx))
                    .as("SESSION_STARTEX (4) exists in the Vista-era DLL").isZero();
            assertThat((int) register.invoke(handle, WDS_TRANSPORTCLIENT_RECEIVE_METADATA(), onMetadata)).isZero();
            assertThat((int) register.invoke(handle, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(), onContents)).isZero();
            assertThat((int) register.invoke(handle, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), onComplete)).isZero();

            assertThat((int) start.invoke(handle)).as("StartSession").isZero();
            assertThat((int) waitForCompletion.invoke(handle, Raw.INFINITE)).as("WaitForCompletion").isZero();
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment error = arena.allocate(ValueLayout.JAVA_INT);
            assertThat((int) queryStatus.invoke(handle, status, error)).isZero();
            assertThat(Raw.ulong(status)).isEqualTo(WDS_TRANSPORTCLIENT_STATUS_SUCCESS());
            assertThat((int) close.invoke(handle)).as("CloseSession").isZero();
            assertThat((int) shutdown.invoke()).as("Shutdown").isZero();

            MemorySegment c = arena.allocate(ValueLayout.JAVA_LONG, 4);
            assertThat((int) counters.invoke(c, 4)).isZero();
            assertThat(c.toArray(ValueLayout.JAVA_LONG)).as("Vista build's sessions, buffers, bytes, threads")
                    .containsExactly(0L, 0L, 0L, 0L);
        }
        assertThat(errors).as("failures inside upcalls").isEmpty();
        assertThat(result[0]).as("SessionComplete dwError").isZero();
        assertThat(events).containsExactly("start", "startex", "contents", "contents", "contents", "contents", "complete");
    }
}
