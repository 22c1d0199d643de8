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
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.github.wdstci.internal.NativeLibrary;
import io.github.wdstci.internal.Wdstptc;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stand-in's other shapes ({@code make SHAPES=1}), each opened beside the
 * default build through its own {@link SymbolLookup}:
 * <ul>
 * <li>{@code libwdstptc-vista.so} (system property {@code wdstci.test.vista}),
 * the Vista SP1 DLL: neither CancelSessionEx nor NegotiateRequiredDataRange;</li>
 * <li>{@code libwdstptc-nonegotiate.so} ({@code wdstci.test.nonegotiate}), the
 * exports of the later DLLs' import libraries: CancelSessionEx, but no
 * NegotiateRequiredDataRange.</li>
 * </ul>
 * Both know five callback ids and otherwise run sessions as the default build
 * does. The libraries are never unloaded (their delivery threads may still be
 * leaving their code when Shutdown returns). The sanitized run points the
 * properties at the sanitized builds, so these run under ASan too.
 */
@Tag("contract")
class StandinShapesTest {

    /** The functions of the Vista SP1 DLL's import library (contract section 9, less two undocumented ones). */
    static final List<String> VISTA_FUNCTIONS = List.of("Initialize", "InitializeSession", "RegisterCallback",
            "StartSession", "CompleteReceive", "CancelSession", "WaitForCompletion", "QueryStatus", "CloseSession",
            "AddRefBuffer", "ReleaseBuffer", "Shutdown");

    /** A build of the stand-in and the functions it exports beyond Vista's twelve. */
    enum Shape {
        VISTA("wdstci.test.vista", "libwdstptc-vista.so", List.of()),
        NONEGOTIATE("wdstci.test.nonegotiate", "libwdstptc-nonegotiate.so", List.of("CancelSessionEx"));

        final String property;
        final String file;
        final List<String> later;

        Shape(String property, String file, List<String> later) {
            this.property = property;
            this.file = file;
            this.later = later;
        }

        SymbolLookup open() {
            Path lib = Path.of(System.getProperty(property, "target/native/plain/" + file));
            assertThat(lib).exists();
            return LOOKUPS.computeIfAbsent(this, s -> SymbolLookup.libraryLookup(lib, Arena.global()));
        }

        MethodHandle function(String name, FunctionDescriptor descriptor) {
            return Linker.nativeLinker().downcallHandle(open().find(name).orElseThrow(), descriptor);
        }

        /** The functions every shape exports that a session needs, bound in this build. */
        Api api() {
            return new Api(function("WdsTransportClientInitialize", Wdstptc.descriptor("WdsTransportClientInitialize")),
                    function("WdsTransportClientShutdown", Wdstptc.descriptor("WdsTransportClientShutdown")),
                    function("WdsTransportClientInitializeSession", Wdstptc.descriptor("WdsTransportClientInitializeSession")),
                    function("WdsTransportClientRegisterCallback", Wdstptc.descriptor("WdsTransportClientRegisterCallback")),
                    function("WdsTransportClientStartSession", Wdstptc.descriptor("WdsTransportClientStartSession")),
                    function("WdsTransportClientCompleteReceive", Wdstptc.descriptor("WdsTransportClientCompleteReceive")),
                    function("WdsTransportClientWaitForCompletion", Wdstptc.descriptor("WdsTransportClientWaitForCompletion")),
                    function("WdsTransportClientQueryStatus", Wdstptc.descriptor("WdsTransportClientQueryStatus")),
                    function("WdsTransportClientCloseSession", Wdstptc.descriptor("WdsTransportClientCloseSession")));
        }
    }

    /** Downcalls into one shape's build. */
    record Api(MethodHandle initialize, MethodHandle shutdown, MethodHandle initializeSession, MethodHandle register,
               MethodHandle start, MethodHandle completeReceive, MethodHandle waitForCompletion,
               MethodHandle queryStatus, MethodHandle close) {
    }

    private static final Map<Shape, SymbolLookup> LOOKUPS = new ConcurrentHashMap<>();

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

    @ParameterizedTest
    @EnumSource(Shape.class)
    void exportsTheFunctionsOfItsDllAndNoOther(Shape shape) {
        SymbolLookup lib = shape.open();
        for (String f : VISTA_FUNCTIONS) {
            assertThat(lib.find("WdsTransportClient" + f)).as(f).isPresent();
        }
        for (String f : List.of("CancelSessionEx", "NegotiateRequiredDataRange")) {
            assertThat(lib.find("WdsTransportClient" + f).isPresent()).as(f).isEqualTo(shape.later.contains(f));
            assertThat(NativeLibrary.load().find("WdsTransportClient" + f)).as("the default build exports " + f)
                    .isPresent();
        }
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void knowsFiveCallbackIdsAndRunsASession(Shape shape) throws Throwable {
        Api api = shape.api();
        MethodHandle counters = shape.function("WdsStandinQueryCounters",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        int[] result = {-1};
        try (Arena arena = Arena.ofShared()) {
            assertThat((int) api.initialize().invoke()).as("Initialize").isZero();
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            assertThat((int) api.initializeSession().invoke(Raw.synthetic(arena, "256KiB?block=64KiB"), MemorySegment.NULL, out))
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
                        int rc = (int) api.completeReceive().invoke(h, size, offset);
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

            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE(), onNegotiate))
                    .as("SESSION_NEGOTIATE (5) is unknown to a DLL without NegotiateRequiredDataRange").isEqualTo(Raw.ERROR_INVALID_PARAMETER);
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_SESSION_START(), onStart)).isZero();
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_SESSION_STARTEX(), onStartEx))
                    .as("SESSION_STARTEX (4) exists in the Vista-era DLL and later").isZero();
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_RECEIVE_METADATA(), onMetadata)).isZero();
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(), onContents)).isZero();
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), onComplete)).isZero();

            assertThat((int) api.start().invoke(handle)).as("StartSession").isZero();
            assertThat((int) api.waitForCompletion().invoke(handle, Raw.INFINITE)).as("WaitForCompletion").isZero();
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment error = arena.allocate(ValueLayout.JAVA_INT);
            assertThat((int) api.queryStatus().invoke(handle, status, error)).isZero();
            assertThat(Raw.ulong(status)).isEqualTo(WDS_TRANSPORTCLIENT_STATUS_SUCCESS());
            assertThat((int) api.close().invoke(handle)).as("CloseSession").isZero();
            assertThat((int) api.shutdown().invoke()).as("Shutdown").isZero();

            MemorySegment c = arena.allocate(ValueLayout.JAVA_LONG, 4);
            assertThat((int) counters.invoke(c, 4)).isZero();
            assertThat(c.toArray(ValueLayout.JAVA_LONG)).as("the build's sessions, buffers, bytes, threads")
                    .containsExactly(0L, 0L, 0L, 0L);
        }
        assertThat(errors).as("failures inside upcalls").isEmpty();
        assertThat(result[0]).as("SessionComplete dwError").isZero();
        assertThat(events).containsExactly("start", "startex", "contents", "contents", "contents", "contents", "complete");
    }
    /** Where CancelSessionEx is exported, it works: the session ends with the caller's code. */
    @ParameterizedTest
    @EnumSource(value = Shape.class, names = "NONEGOTIATE")
    void cancelSessionExWhereExportedEndsTheSessionWithTheCallersCode(Shape shape) throws Throwable {
        Api api = shape.api();
        MethodHandle cancelEx = shape.function("WdsTransportClientCancelSessionEx",
                Wdstptc.descriptor("WdsTransportClientCancelSessionEx"));

        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        int[] result = {-1};
        try (Arena arena = Arena.ofShared()) {
            assertThat((int) api.initialize().invoke()).as("Initialize").isZero();
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            assertThat((int) api.initializeSession().invoke(Raw.synthetic(arena, "64MiB?delay=1ms"), MemorySegment.NULL, out))
                    .as("InitializeSession").isZero();
            MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);
            // Each upcall body catches Throwable: an exception escaping it would kill the JVM.
            MemorySegment onStart = PFN_WdsTransportClientSessionStart.allocate((h, c, size) -> { }, arena);
            MemorySegment onContents = PFN_WdsTransportClientReceiveContents.allocate(
                    (h, c, data, size, offset) -> { }, arena);   // never completed: the session cannot end by itself
            MemorySegment onComplete = PFN_WdsTransportClientSessionComplete.allocate(
                    (h, c, error) -> guarded(errors, () -> result[0] = error), arena);
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_SESSION_START(), onStart)).isZero();
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS(), onContents)).isZero();
            assertThat((int) api.register().invoke(handle, WDS_TRANSPORTCLIENT_SESSION_COMPLETE(), onComplete)).isZero();

            assertThat((int) api.start().invoke(handle)).as("StartSession").isZero();
            assertThat((int) cancelEx.invoke(handle, Raw.ERROR_TIMEOUT)).as("CancelSessionEx").isZero();
            assertThat((int) api.waitForCompletion().invoke(handle, Raw.INFINITE)).as("WaitForCompletion").isZero();
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment error = arena.allocate(ValueLayout.JAVA_INT);
            assertThat((int) api.queryStatus().invoke(handle, status, error)).isZero();
            assertThat(Raw.ulong(status)).isEqualTo(WDS_TRANSPORTCLIENT_STATUS_FAILURE());
            assertThat(Raw.ulong(error)).isEqualTo(Raw.ERROR_TIMEOUT);
            assertThat((int) api.close().invoke(handle)).as("CloseSession").isZero();
            assertThat((int) api.shutdown().invoke()).as("Shutdown").isZero();
        }
        assertThat(errors).as("failures inside upcalls").isEmpty();
        assertThat(result[0]).as("SessionComplete dwError").isEqualTo(Raw.ERROR_TIMEOUT);
    }
}
