package io.github.wdstci.internal.ffi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a generated C probe made of static assertions with one of the
 * compilers the ABI tests use.  Nothing is run: a probe passes when it
 * compiles.
 */
final class CProbe {

    /** A compiler and the prelude that makes the declarations under test visible. */
    enum Target {
        /** The host gcc (Linux x86-64, LP64) with the project's headers/wdstci.h. */
        GCC_PROJECT_HEADER("gcc", true, projectHeaderPrelude()),
        /** mingw-w64 (Windows x64, LLP64) with the project's headers/wdstci.h. */
        MINGW_PROJECT_HEADER("x86_64-w64-mingw32-gcc", true, projectHeaderPrelude()),
        /**
         * mingw-w64 with the Windows SDK declarations it ships (wdstci.h), made
         * to compile as the contract's section 9 describes: its wdstpdi.h is
         * skipped (a struct there has a duplicate member) and the session-info
         * typedef it uses before declaring is declared first (C11 allows the
         * repeated typedef).  The project's headers are not on the include
         * path, and the probe stops if they were reached anyway.
         */
        MINGW_SDK_HEADER("x86_64-w64-mingw32-gcc", false, """
                #define _WIN32_WINNT 0x0A00
                #define _INC_WDSTPDI
                #include <windows.h>
                typedef struct _TRANSPORTCLIENT_SESSION_INFO TRANSPORTCLIENT_SESSION_INFO, *PTRANSPORTCLIENT_SESSION_INFO;
                #include <wdstci.h>
                #include <stddef.h>
                #ifdef WDSTCI_H
                #error "the project's wdstci.h was included instead of the Windows SDK declarations"
                #endif
                #ifndef _INC_WDSCLIENTAPI
                #error "mingw-w64's wdstci.h was not included"
                #endif
                """);

        final String compiler;
        final boolean projectHeaders;
        final String prelude;

        Target(String compiler, boolean projectHeaders, String prelude) {
            this.compiler = compiler;
            this.projectHeaders = projectHeaders;
            this.prelude = prelude;
        }
    }

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private CProbe() {
    }

    static Path headersDir() {
        String dir = System.getProperty("wdstci.headers", "headers");
        Path p = Path.of(dir).toAbsolutePath();
        if (!Files.isRegularFile(p.resolve("wdstci.h"))) {
            throw new IllegalStateException("headers/wdstci.h not found under " + p
                    + " (set -Dwdstci.headers=<repository>/headers)");
        }
        return p;
    }

    private static String projectHeaderPrelude() {
        return """
                #include <stddef.h>
                #include "wdstci.h"
                """;
    }

    /** Compiles prelude + body with -fsyntax-only; fails the test when the compiler is missing. */
    static Result compile(Target target, String body) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("wdstci-probe");
        Path src = dir.resolve("probe.c");
        Files.writeString(src, target.prelude + "\n" + body, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(target.compiler, "-std=c11", "-Wall", "-Wextra", "-Werror",
                "-fsyntax-only"));
        if (target.projectHeaders) {
            cmd.add("-I" + headersDir());
        }
        cmd.add(src.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(target.compiler + " is not installed; the ABI tests need it"
                    + " (Debian: apt-get install gcc gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev, as .ci/run does)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(target.compiler + " did not finish");
        }
        Files.delete(src);
        Files.delete(dir);
        return new Result(p.exitValue(), out);
    }
}
