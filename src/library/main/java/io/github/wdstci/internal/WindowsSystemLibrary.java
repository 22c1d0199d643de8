package io.github.wdstci.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A DLL from the Windows system directory, opened by the Windows loader
 * itself: {@code LoadLibraryExW(name, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32)}
 * searches only {@code System32} for the DLL <em>and</em> for the DLLs it
 * depends on, so neither {@code %SystemRoot%}, {@code PATH}, the current
 * directory nor a planted dependency can redirect it. Symbols come from
 * {@code GetProcAddress}, the path from {@code GetModuleFileNameW}. The module
 * stays loaded for the life of the process.
 *
 * <p>Kept small on purpose: it runs only on Windows, so no test here executes
 * it; the choice of candidates around it is tested in {@code NativeLibraryTest}.
 */
final class WindowsSystemLibrary implements SymbolLookup {

    /** {@code LOAD_LIBRARY_SEARCH_SYSTEM32} (libloaderapi.h). */
    static final int LOAD_LIBRARY_SEARCH_SYSTEM32 = 0x00000800;

    private static final int MAX_PATH_CHARS = 32768;   // the longest extended-length path, in WCHARs

    private final MemorySegment module;
    private final Path path;
    private final MethodHandle getProcAddress;

    private WindowsSystemLibrary(MemorySegment module, Path path, MethodHandle getProcAddress) {
        this.module = module;
        this.path = path;
        this.getProcAddress = getProcAddress;
    }

    /**
     * Loads {@code dllName} from the system directory.
     *
     * @throws UnsatisfiedLinkError with the Win32 error code when the loader refuses
     */
    static WindowsSystemLibrary open(String dllName) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup kernel32 = SymbolLookup.libraryLookup("kernel32", Arena.global());
        StructLayout callState = Linker.Option.captureStateLayout();
        VarHandle lastError = callState.varHandle(MemoryLayout.PathElement.groupElement("GetLastError"));
        // HMODULE LoadLibraryExW(LPCWSTR lpLibFileName, HANDLE hFile, DWORD dwFlags)
        MethodHandle loadLibraryExW = linker.downcallHandle(symbol(kernel32, "LoadLibraryExW"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("GetLastError"));
        // DWORD GetModuleFileNameW(HMODULE hModule, LPWSTR lpFilename, DWORD nSize)
        MethodHandle getModuleFileNameW = linker.downcallHandle(symbol(kernel32, "GetModuleFileNameW"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        // FARPROC GetProcAddress(HMODULE hModule, LPCSTR lpProcName)
        MethodHandle getProcAddress = linker.downcallHandle(symbol(kernel32, "GetProcAddress"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(callState);
            MemorySegment module = (MemorySegment) loadLibraryExW.invokeExact(state,
                    arena.allocateFrom(dllName, StandardCharsets.UTF_16LE), MemorySegment.NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
            if (module.equals(MemorySegment.NULL)) {
                int error = (int) lastError.get(state, 0L);
                throw new UnsatisfiedLinkError("LoadLibraryExW(" + dllName + ", LOAD_LIBRARY_SEARCH_SYSTEM32) failed: Win32 error "
                        + error + " (126: not installed; this API needs the Windows Deployment Services client)");
            }
            MemorySegment name = arena.allocate(ValueLayout.JAVA_CHAR, MAX_PATH_CHARS);
            int chars = (int) getModuleFileNameW.invokeExact(module, name, MAX_PATH_CHARS);
            Path path = chars > 0 && chars < MAX_PATH_CHARS
                    ? Path.of(new String(name.asSlice(0, 2L * chars).toArray(ValueLayout.JAVA_CHAR)))
                    : Path.of(dllName);
            return new WindowsSystemLibrary(module, path, getProcAddress);
        } catch (UnsatisfiedLinkError e) {
            throw e;
        } catch (Throwable t) {
            throw new UnsatisfiedLinkError("loading " + dllName + ": " + t);
        }
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("kernel32 lacks " + name));
    }

    /** The file the loader chose. */
    Path path() {
        return path;
    }

    @Override
    public Optional<MemorySegment> find(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = (MemorySegment) getProcAddress.invokeExact(module, arena.allocateFrom(name));
            return address.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(address);
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}
