package io.github.wdstci.bench;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.wdstci.Session;
import io.github.wdstci.WdsClient;
import io.github.wdstci.bench.jna.JnaDirect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cold start: in a fresh JVM (every fork is one, and nothing before the
 * measured call has touched the binding, FFM or JNA), the time from the
 * first call into the binding to the first block delivered to the consumer:
 * class loading and linking, loading the library, Initialize, the session,
 * the delivery thread's attach, the first upcall. One shot per fork, many
 * forks (the Maven build runs it with its own fork count). The object is
 * 64 KiB in 4 KiB blocks; the rest of it is received after the clock stops.
 *
 * <p>{@link #ffmLinking} is the floor under {@link #sessionApi}: no library code
 * and no session, only what the JDK charges any FFM binding for the same
 * functions, in the same fresh JVM: the linker, the library's lookup, the four
 * downcall handles a session calls before its first block (Initialize, called
 * once, InitializeSession, RegisterCallback, StartSession) and the upcall stubs
 * of the three callbacks it registers (SessionStart and SessionStartEx share a
 * shape), with the header's descriptors (the library's pointers also carry a
 * target layout, which costs the linking nothing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class ColdStartBenchmark {

    private static final String OBJECT = "65536?block=4096";

    private WdsClient client;
    private Session session;
    private JnaSession jnaSession;
    private SymbolLookup ffmLibrary;

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        if (ffmLibrary != null) {
            Standin.check("Shutdown",
                    (int) downcall(Linker.nativeLinker(), ffmLibrary, "WdsTransportClientShutdown",
                            FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact());
        }
        if (session != null) {
            session.completion().join();
            session.close();
            client.close();
        }
        if (jnaSession != null) {
            jnaSession.finish(true);
            JnaDirect.WdsTransportClientShutdown();
        }
    }

    @Benchmark
    public Object sessionApi() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        client = WdsClient.open();
        session = client.newSession(Standin.transferRequest(OBJECT, Standin.CACHE_SIZE),
                new SessionApi.Sync(false, first::countDown));
        session.start();
        first.await();
        return session;
    }

    @Benchmark
    public Object ffmLinking() throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(Libraries.standinPath()), Arena.global());
        AddressLayout p = ValueLayout.ADDRESS;
        ValueLayout.OfInt dword = ValueLayout.JAVA_INT;
        MethodHandle initialize = downcall(linker, lib, "WdsTransportClientInitialize", FunctionDescriptor.of(dword));
        Standin.check("Initialize", (int) initialize.invokeExact());
        downcall(linker, lib, "WdsTransportClientInitializeSession", FunctionDescriptor.of(dword, p, p, p));
        downcall(linker, lib, "WdsTransportClientRegisterCallback", FunctionDescriptor.of(dword, p, dword, p));
        downcall(linker, lib, "WdsTransportClientStartSession", FunctionDescriptor.of(dword, p));
        upcall(linker, FunctionDescriptor.ofVoid(p, p, p));                                 // SessionStart(Ex)
        upcall(linker, FunctionDescriptor.ofVoid(p, p, p, ValueLayout.JAVA_INT, p));        // ReceiveContents
        upcall(linker, FunctionDescriptor.ofVoid(p, p, ValueLayout.JAVA_INT));              // SessionComplete
        ffmLibrary = lib;
        return initialize;
    }

    private static MethodHandle downcall(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        return linker.downcallHandle(lib.find(name).orElseThrow(), d);
    }

    private static MemorySegment upcall(Linker linker, FunctionDescriptor d) throws ReflectiveOperationException {
        MethodHandle target = MethodHandles.dropArguments(
                MethodHandles.lookup().findStatic(ColdStartBenchmark.class, "ignore", MethodType.methodType(void.class)),
                0, d.toMethodType().parameterList());
        return linker.upcallStub(target, d, Arena.global());
    }

    private static void ignore() {
    }

    @Benchmark
    public Object jna() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        JnaDirect.register(Libraries.standinPath());
        Standin.check("Initialize", JnaDirect.WdsTransportClientInitialize());
        jnaSession = new JnaSession(false, first::countDown);
        jnaSession.start(OBJECT, Standin.CACHE_SIZE);
        first.await();
        return jnaSession;
    }
}
