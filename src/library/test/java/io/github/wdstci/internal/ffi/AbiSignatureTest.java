package io.github.wdstci.internal.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.wdstci.internal.Wdstptc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks every downcall descriptor of the binding (Wdstptc) and every callback
 * descriptor of the stubs against the
 * parameter lists of the contract (section 2 and 3, from the current SDK
 * header), and checks the same parameter lists against the declarations
 * with the C compilers: gcc and mingw-w64 on headers/wdstci.h, mingw-w64 on
 * the Windows SDK declarations it ships.
 */
class AbiSignatureTest {

    /** A C prototype: return type ("void" or "DWORD") and parameter types, as Win32 type names. */
    record Proto(String name, String ret, List<String> params) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Proto fn(String name, String... params) {
        return new Proto(name, "DWORD", List.of(params));
    }

    static Proto cb(String name, String... params) {
        return new Proto(name, "void", List.of(params));
    }

    static final List<Proto> FUNCTIONS = List.of(
            fn("WdsTransportClientInitialize"),
            fn("WdsTransportClientInitializeSession", "PWDS_TRANSPORTCLIENT_REQUEST", "PVOID", "PHANDLE"),
            fn("WdsTransportClientRegisterCallback", "HANDLE", "TRANSPORTCLIENT_CALLBACK_ID", "PVOID"),
            fn("WdsTransportClientStartSession", "HANDLE"),
            fn("WdsTransportClientCompleteReceive", "HANDLE", "ULONG", "PULARGE_INTEGER"),
            fn("WdsTransportClientCancelSession", "HANDLE"),
            fn("WdsTransportClientCancelSessionEx", "HANDLE", "DWORD"),
            fn("WdsTransportClientWaitForCompletion", "HANDLE", "ULONG"),
            fn("WdsTransportClientQueryStatus", "HANDLE", "PULONG", "PULONG"),
            fn("WdsTransportClientCloseSession", "HANDLE"),
            fn("WdsTransportClientAddRefBuffer", "PVOID"),
            fn("WdsTransportClientReleaseBuffer", "PVOID"),
            fn("WdsTransportClientShutdown"),
            fn("WdsTransportClientNegotiateRequiredDataRange", "HANDLE", "HANDLE", "ULARGE_INTEGER", "ULARGE_INTEGER"));

    static final List<Proto> CALLBACKS = List.of(
            cb("PFN_WdsTransportClientSessionStart", "HANDLE", "PVOID", "PULARGE_INTEGER"),
            cb("PFN_WdsTransportClientSessionStartEx", "HANDLE", "PVOID", "PTRANSPORTCLIENT_SESSION_INFO"),
            cb("PFN_WdsTransportClientReceiveMetadata", "HANDLE", "PVOID", "PVOID", "ULONG"),
            cb("PFN_WdsTransportClientReceiveContents", "HANDLE", "PVOID", "PVOID", "ULONG", "PULARGE_INTEGER"),
            cb("PFN_WdsTransportClientSessionComplete", "HANDLE", "PVOID", "DWORD"),
            cb("PFN_WdsTransportClientSessionNegotiate", "HANDLE", "PVOID", "PTRANSPORTCLIENT_SESSION_INFO", "HANDLE"));

    /** What the SDK declarations in mingw-w64 lack (contract section 6.5). */
    static final List<String> ABSENT_FROM_MINGW = List.of("WdsTransportClientCancelSessionEx",
            "WdsTransportClientNegotiateRequiredDataRange", "PFN_WdsTransportClientSessionNegotiate");

    /**
     * mingw-w64's known deviation (contract 6.4): CompleteReceive's ulSize is
     * typed HANDLE.  ABI-compatible on x64 (the second argument is RDX either
     * way; the callee reads its low 32 bits), so the probe asserts mingw's
     * form instead, and notices if mingw-w64 ever fixes it.
     */
    static final Map<String, Proto> MINGW_DEVIATIONS = Map.of("WdsTransportClientCompleteReceive",
            fn("WdsTransportClientCompleteReceive", "HANDLE", "HANDLE", "PULARGE_INTEGER"));

    /** The layout a Win32 type has on Windows x64, as a downcall/upcall argument. */
    static MemoryLayout layoutOf(String cType) {
        return switch (cType) {
            case "DWORD", "ULONG", "TRANSPORTCLIENT_CALLBACK_ID" -> ValueLayout.JAVA_INT;
            case "ULARGE_INTEGER" -> _ULARGE_INTEGER.layout();
            case "HANDLE", "PVOID", "PHANDLE", "PULONG", "PULARGE_INTEGER",
                 "PWDS_TRANSPORTCLIENT_REQUEST", "PTRANSPORTCLIENT_SESSION_INFO" -> ValueLayout.ADDRESS;
            default -> throw new AssertionError("no layout for " + cType);
        };
    }

    /** Layout identity that matters to the ABI: carrier and size of values, size and kind of groups. */
    static String abiShape(MemoryLayout l) {
        return switch (l) {
            case AddressLayout a -> "ptr" + a.byteSize();
            case ValueLayout v -> v.carrier().getSimpleName() + v.byteSize();
            case UnionLayout u -> "union" + u.byteSize() + "/" + u.byteAlignment();
            case GroupLayout g -> "struct" + g.byteSize() + "/" + g.byteAlignment();
            default -> l.toString();
        };
    }

    static String abiShape(FunctionDescriptor d) {
        return d.returnLayout().map(AbiSignatureTest::abiShape).orElse("void") + "("
                + d.argumentLayouts().stream().map(AbiSignatureTest::abiShape).collect(Collectors.joining(",")) + ")";
    }

    static FunctionDescriptor expected(Proto p) {
        MemoryLayout[] args = p.params().stream().map(AbiSignatureTest::layoutOf).toArray(MemoryLayout[]::new);
        return p.ret().equals("void") ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ValueLayout.JAVA_INT, args);
    }

    /** The descriptor the binding uses for a function (Wdstptc, the one binding of each). */
    static FunctionDescriptor boundFunction(String name) {
        FunctionDescriptor d = Wdstptc.descriptor(name);
        assertThat(d).as("Wdstptc binds %s", name).isNotNull();
        return d;
    }

    static FunctionDescriptor generatedCallback(String name) throws ReflectiveOperationException {
        Class<?> c = Class.forName(wdstci_h.class.getPackageName() + "." + name);
        return (FunctionDescriptor) c.getMethod("descriptor").invoke(null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void downcallDescriptorMatchesTheHeader(Proto p) throws Exception {
        assertThat(abiShape(boundFunction(p.name()))).isEqualTo(abiShape(expected(p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callbacks")
    void callbackDescriptorMatchesTheHeader(Proto p) throws Exception {
        assertThat(abiShape(generatedCallback(p.name()))).isEqualTo(abiShape(expected(p)));
    }

    @Test
    void theBindingDeclaresExactlyTheFourteenFunctions() {
        assertThat(Wdstptc.functions()).containsExactlyInAnyOrderElementsOf(FUNCTIONS.stream().map(Proto::name).toList());
    }

    static Stream<Proto> functions() {
        return FUNCTIONS.stream();
    }

    static Stream<Proto> callbacks() {
        return CALLBACKS.stream();
    }

    static String cType(Proto p) {
        String ret = p.ret();
        String params = p.params().isEmpty() ? "void" : String.join(", ", p.params());
        return ret + " (*)(" + params + ")";
    }

    static String probe(List<Proto> functions, List<Proto> callbacks) {
        StringBuilder c = new StringBuilder();
        for (Proto f : functions) {
            c.append("_Static_assert(__builtin_types_compatible_p(__typeof__(&").append(f.name()).append("), ")
                    .append(cType(f)).append("), \"").append(f.name()).append("\");\n");
        }
        for (Proto cb : callbacks) {
            c.append("_Static_assert(__builtin_types_compatible_p(").append(cb.name()).append(", ")
                    .append(cType(cb)).append("), \"").append(cb.name()).append("\");\n");
        }
        return c.toString();
    }

    @ParameterizedTest
    @EnumSource(value = CProbe.Target.class, names = {"GCC_PROJECT_HEADER", "MINGW_PROJECT_HEADER"})
    void projectHeaderDeclaresTheContractsSignatures(CProbe.Target target) throws Exception {
        CProbe.Result r = CProbe.compile(target, probe(FUNCTIONS, CALLBACKS));
        assertThat(r.ok()).as("%s:%n%s", target, r.output()).isTrue();
    }

    @Test
    void windowsSdkDeclarationsHaveTheContractsSignatures() throws Exception {
        List<Proto> fns = FUNCTIONS.stream().filter(p -> !ABSENT_FROM_MINGW.contains(p.name()))
                .map(p -> MINGW_DEVIATIONS.getOrDefault(p.name(), p)).toList();
        List<Proto> cbs = CALLBACKS.stream().filter(p -> !ABSENT_FROM_MINGW.contains(p.name())).toList();
        assertThat(fns).hasSize(12);
        assertThat(cbs).hasSize(5);

        CProbe.Result r = CProbe.compile(CProbe.Target.MINGW_SDK_HEADER, probe(fns, cbs));

        assertThat(r.ok()).as("%s", r.output()).isTrue();
    }

    @Test
    void aWrongParameterTypeIsRejected() throws Exception {
        Proto wrong = fn("WdsTransportClientWaitForCompletion", "HANDLE", "PVOID");

        CProbe.Result r = CProbe.compile(CProbe.Target.GCC_PROJECT_HEADER, probe(List.of(wrong), List.of()));

        assertThat(r.ok()).isFalse();
        assertThat(r.output()).contains("WdsTransportClientWaitForCompletion");
    }
}
