package io.github.wdstci.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import io.github.wdstci.internal.ffi.wdstci_h;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the library comes from, and how the stand-in is copied out of a jar. */
class NativeLibraryTest {

    @Test
    void windowsLoadsTheSystemDllThroughTheLoaderAndNothingElse() {
        List<NativeLibrary.Candidate> c = NativeLibrary.candidates("Windows 11", "amd64", null);
        assertThat(c).singleElement().satisfies(x -> {
            assertThat(x.kind()).isEqualTo(NativeLibrary.Kind.WINDOWS_SYSTEM);
            assertThat(x.location()).as("a bare name: the loader searches System32 only").isEqualTo("WDSTPTC.dll");
            assertThat(x.origin()).contains("LOAD_LIBRARY_SEARCH_SYSTEM32");
        });
        assertThat(WindowsSystemLibrary.LOAD_LIBRARY_SEARCH_SYSTEM32).as("libloaderapi.h").isEqualTo(0x800);
        assertThat(NativeLibrary.candidates("Windows Server 2022", "x86", "")).as("a blank property is no choice")
                .extracting(NativeLibrary.Candidate::kind).containsExactly(NativeLibrary.Kind.WINDOWS_SYSTEM);
    }

    @Test
    void anExplicitPathWinsEverywhere() {
        for (String os : new String[] {"Windows 10", "Linux", "Mac OS X"}) {
            assertThat(NativeLibrary.candidates(os, "aarch64", "/opt/x/libwdstptc.so")).singleElement()
                    .satisfies(x -> {
                        assertThat(x.kind()).isEqualTo(NativeLibrary.Kind.FILE);
                        assertThat(x.location()).isEqualTo("/opt/x/libwdstptc.so");
                    });
        }
    }

    @Test
    void linuxX8664UsesTheStandInAndOtherSystemsHaveNothing() {
        assertThat(NativeLibrary.candidates("Linux", "amd64", null)).extracting(NativeLibrary.Candidate::kind)
                .containsExactly(NativeLibrary.Kind.STANDIN);
        assertThat(NativeLibrary.candidates("Linux", "x86_64", null)).hasSize(1);
        assertThat(NativeLibrary.candidates("Linux", "aarch64", null)).isEmpty();
        assertThat(NativeLibrary.candidates("Mac OS X", "x86_64", null)).isEmpty();
    }

    @Test
    void theStandInCopyIsContentAddressedAndReused(@TempDir Path tmp) throws IOException {
        Path dir = NativeLibrary.userTempDir(tmp);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        byte[] lib = "not really a library".getBytes();
        Path a = NativeLibrary.contentAddressedCopy(lib, dir);
        Path b = NativeLibrary.contentAddressedCopy(lib, dir);
        assertThat(b).isEqualTo(a);
        assertThat(a.getFileName().toString()).matches("libwdstptc-" + lib.length + "-[0-9a-f]{1,8}\\.so");
        assertThat(Files.readAllBytes(a)).isEqualTo(lib);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).as("one file, no temporary left").containsExactly(a);
        }
        // A damaged copy (same name, other bytes) is replaced, not trusted.
        Files.writeString(a, "tampered");
        assertThat(NativeLibrary.contentAddressedCopy(lib, dir)).isEqualTo(a);
        assertThat(Files.readAllBytes(a)).isEqualTo(lib);
        // The same size is not enough either: the bytes are compared.
        byte[] sameSize = lib.clone();
        sameSize[3] ^= 1;
        Files.write(a, sameSize);
        assertThat(NativeLibrary.contentAddressedCopy(lib, dir)).isEqualTo(a);
        assertThat(Files.readAllBytes(a)).isEqualTo(lib);
        // Other content, another name.
        assertThat(NativeLibrary.contentAddressedCopy("v2".getBytes(), dir)).isNotEqualTo(a);
    }

    @Test
    void aUserNameBecomesASafeFileNamePart() {
        assertThat(NativeLibrary.fileNamePart("ada.lovelace_1-2")).isEqualTo("ada.lovelace_1-2");
        assertThat(NativeLibrary.fileNamePart("DOMAIN\\user name/..")).isEqualTo("DOMAIN_user_name_..");
        assertThat(NativeLibrary.fileNamePart("j\u00f6rg")).isEqualTo("j_rg");
    }

    @Test
    void aSharedFolderIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = NativeLibrary.userTempDir(tmp);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> NativeLibrary.userTempDir(tmp)).isInstanceOf(IOException.class)
                .hasMessageContaining("not private");
    }

    /** Wdstptc binds the 14 functions, and the generated stubs hold none: one binding of each. */
    @Test
    void theFunctionsAreBoundOnceByHand() {
        assertThat(Wdstptc.functions()).hasSize(14).allMatch(n -> n.startsWith("WdsTransportClient"));
        assertThat(java.util.Arrays.stream(wdstci_h.class.getDeclaredMethods()).map(java.lang.reflect.Method::getName))
                .as("function wrappers in the generated header class").noneMatch(n -> n.startsWith("WdsTransportClient"));
    }
}
