package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.wdstci.TransferRequest;
import io.github.wdstci.standin.SyntheticContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** wdsget in this JVM against the stand-in: results, files left behind, exit codes and messages. */
class WdsGetTest {

    @TempDir
    Path dir;

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The SHA-256 of the synthetic object of this size and seed, computed here rather than by wdsget. */
    static String syntheticSha256(long size, long seed) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment chunk = a.allocate(1 << 16);
            for (long off = 0; off < size; off += chunk.byteSize()) {
                MemorySegment part = chunk.asSlice(0, Math.min(chunk.byteSize(), size - off));
                SyntheticContent.fill(seed, off, part);
                md.update(part.asByteBuffer());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void versionComesFromTheBuild() {
        CliRun r = CliRun.inProcess("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("^wdsget \\d+\\.\\d+\\.\\d+").doesNotContain("${");
    }

    /** Every command's help lists -V, --version: each prints wdsget's version, as {@code wdsget --version} does. */
    @Test
    void everyCommandPrintsTheVersionOfWdsget() {
        String version = CliRun.inProcess("--version").out();
        assertThat(version).startsWith("wdsget ");
        for (List<String> args : List.of(List.of("get", "-V"), List.of("doctor", "--version"), List.of("demo", "-V"),
                List.of("get", "-s", "x", "-n", "y", "z", "-V"), List.of("generate-completion", "--version"),
                List.of("help", "-V"), List.of("help", "--version"), List.of("help", "get", "-V"))) {
            CliRun r = CliRun.inProcess(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(args + ": " + r.err()).isZero();
            assertThat(r.out()).as(String.join(" ", args)).isEqualTo(version);
            assertThat(r.err()).as(String.join(" ", args)).isEmpty();
        }
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CliRun r = CliRun.inProcess("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("get", "demo", "Exit codes:", "130", "disk full");
        assertThat(CliRun.inProcess("get", "--help").out()).contains("--server", "--namespace", "--no-auth",
                "--cache-size", "--if-exists", "--sha256", "--output");
    }

    @Test
    void missingCommandOrOptionsIsAUsageError() {
        CliRun none = CliRun.inProcess();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("missing command");

        CliRun get = CliRun.inProcess("get", "--namespace", "synthetic");
        assertThat(get.exitCode()).isEqualTo(2);
        assertThat(get.err()).contains("--server").contains("OBJECT").contains("get --help");

        CliRun size = CliRun.inProcess("demo", "--size", "12Q");
        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.err()).contains("unknown unit").contains("12Q");

        CliRun block = CliRun.inProcess("demo", "--block", "65MiB");
        assertThat(block.exitCode()).isEqualTo(2);
        assertThat(block.err()).contains("--block");

        CliRun hash = CliRun.inProcess("demo", "--size", "1MiB", "-o", dir.resolve("x").toString(), "--sha256=abc");
        assertThat(hash.exitCode()).isEqualTo(2);
        assertThat(hash.err()).contains("64 hex digits");

        // '--sha256=' with nothing after '=': a digest left out (say, an empty shell variable), not "print it"
        CliRun empty = CliRun.inProcess("demo", "--size", "1MiB", "-o", dir.resolve("y").toString(), "--sha256=");
        assertThat(empty.exitCode()).as(empty.err()).isEqualTo(2);
        assertThat(empty.err()).contains("--sha256=").contains("64 hex digits");
        assertThat(dir.resolve("y")).doesNotExist();

        // more blocks than the demo can check off: said up front, not as an internal error later
        for (String huge : new String[] {"1PiB", "9223372036854775807"}) {
            CliRun big = CliRun.inProcess("demo", "--size", huge);
            assertThat(big.exitCode()).as(big.err()).isEqualTo(2);
            assertThat(big.err()).contains("--size").contains("give a larger --block").doesNotContain("Exception")
                    .doesNotContain("bitIndex");
        }
    }

    @Test
    void demoVerifiesEveryBlockOutOfOrderWithoutWriting() throws Exception {
        CliRun r = CliRun.inProcess("demo", "--size", "8MiB", "--block", "64KiB", "--seed", "11");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, String> done = r.record("done");
        assertThat(done).containsEntry("bytes", Long.toString(8 << 20))
                .containsEntry("verified", "content")
                .containsEntry("blocks", "128")
                .containsEntry("output", "-");
        assertThat(Long.parseLong(done.get("out_of_order"))).as("shuffled delivery").isGreaterThan(64);
        assertThat(r.record("request")).containsEntry("namespace", "synthetic");
        List<Map<String, String>> progress = r.records().stream().filter(m -> m.get("kind").equals("progress")).toList();
        assertThat(progress).as("a line at the start and one at the end").hasSizeGreaterThanOrEqualTo(2);
        assertThat(progress.get(0)).containsEntry("total", Long.toString(8 << 20));
        assertThat(progress.get(progress.size() - 1)).containsEntry("percent", "100.0").containsEntry("eta", "0");
        assertThat(r.messages()).isEmpty();
        assertThat(r.out()).isEmpty();
    }

    @Test
    void demoWritesTheFileWhenAsked() throws Exception {
        CliRun r = CliRun.inProcess("demo", "--size", "1MiB", "--seed", "3", "--order", "wrap", "-o", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(files()).containsExactly("synthetic-1048576.bin");
        byte[] data = Files.readAllBytes(dir.resolve("synthetic-1048576.bin"));
        assertThat(SyntheticContent.mismatch(3, 0, MemorySegment.ofArray(data))).isEqualTo(-1);
    }

    @Test
    void getWritesTheObjectAndChecksItsSha256() throws Exception {
        String expected = syntheticSha256(3 << 20, 7);
        Path target = dir.resolve("boot.wim");

        CliRun r = CliRun.inProcess("get", "--server", "wds01", "--namespace", "synthetic",
                "3MiB?order=shuffle&block=16KiB&seed=7", "--output", target.toString(), "--sha256=" + expected.toUpperCase());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("done")).containsEntry("sha256", expected).containsEntry("verified", "sha256")
                .containsEntry("bytes", Long.toString(3 << 20)).containsEntry("output", target.toString());
        assertThat(files()).containsExactly("boot.wim");
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(target))))
                .isEqualTo(expected);
    }

    @Test
    void getWithoutOutputNamesTheFileAfterTheObjectInTheDirectoryGiven() throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?seed=1", "-o", dir.toString(), "--sha256");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(files()).containsExactly("64KiB");
        assertThat(r.record("done")).containsEntry("sha256", syntheticSha256(64 << 10, 1)).doesNotContainKey("verified");
    }

    @Test
    void aWrongSha256KeepsNothing() throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB", "-o", dir.resolve("x.bin").toString(),
                "--sha256=" + "0".repeat(64));

        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.errors()).singleElement().asString()
                .startsWith("wdsget: verification failed: SHA-256 is " + syntheticSha256(1 << 20, 0))
                .endsWith("; the output was not written");
        assertThat(files()).isEmpty();
    }

    /**
     * Where --sha256 stands on the command line: its value is the next argument only when that is a
     * digest (64 hex digits); anything else after it (an object name, an option) is what it would be
     * without --sha256. OUT is an output file, HEX the object's digest.
     */
    static Stream<Arguments> sha256Placements() {
        String wrong = "0".repeat(64);
        return Stream.of(
                Arguments.of("--sha256=HEX", List.of("64KiB", "-o", "OUT", "--sha256=HEX"), 0, "sha256"),
                Arguments.of("--sha256 HEX", List.of("64KiB", "-o", "OUT", "--sha256", "HEX"), 0, "sha256"),
                Arguments.of("--sha256 HEX before the object", List.of("-o", "OUT", "--sha256", "HEX", "64KiB"), 0,
                        "sha256"),
                Arguments.of("--sha256 at the end", List.of("64KiB", "-o", "OUT", "--sha256"), 0, null),
                Arguments.of("--sha256 before an option", List.of("--sha256", "-o", "OUT", "64KiB"), 0, null),
                Arguments.of("--sha256 before the object", List.of("-o", "OUT", "--sha256", "64KiB"), 0, null),
                Arguments.of("--sha256 with a wrong digest before the object",
                        List.of("-o", "OUT", "--sha256", wrong, "64KiB"), 7, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sha256Placements")
    void sha256TakesTheNextArgumentOnlyWhenItIsADigest(String name, List<String> args, int exit, String verified)
            throws Exception {
        String hex = syntheticSha256(64 << 10, 0);
        Path out = dir.resolve("out.bin");
        List<String> argv = new java.util.ArrayList<>(List.of("get", "-s", "wds01", "-n", "synthetic"));
        args.forEach(a -> argv.add(a.equals("OUT") ? out.toString() : a.replace("HEX", hex.toUpperCase())));
        CliRun r = CliRun.inProcess(argv.toArray(String[]::new));

        assertThat(r.exitCode()).as(r.err()).isEqualTo(exit);
        if (exit != 0) {
            assertThat(r.errors()).singleElement().asString().startsWith("wdsget: verification failed");
            assertThat(files()).isEmpty();
            return;
        }
        assertThat(files()).containsExactly("out.bin");
        assertThat(r.record("done")).containsEntry("object", "64KiB").containsEntry("sha256", hex)
                .containsEntry("output", out.toString());
        assertThat(r.record("done").get("verified")).isEqualTo(verified);
    }

    /** With several objects, --sha256 before them takes none as its value: each is received and hashed. */
    @Test
    void sha256BeforeSeveralObjectsTakesNoneOfThem() throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "-o", dir + "/", "--sha256", "1MiB",
                "64KiB", "-q");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(files()).containsExactlyInAnyOrder("1MiB", "64KiB");
        assertThat(r.out().lines().toList()).containsExactlyInAnyOrder(
                syntheticSha256(1 << 20, 0) + "  " + dir.resolve("1MiB"),
                syntheticSha256(64 << 10, 0) + "  " + dir.resolve("64KiB"));
    }

    /** One case per failure class: arguments, exit code, words of the message, the Win32 name. */
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("unknown object", List.of("get", "-s", "wds01", "-n", "synthetic", "no-such-object"),
                        3, "object not found: 'no-such-object'", "ERROR_FILE_NOT_FOUND"),
                Arguments.of("unknown namespace", List.of("get", "-s", "/nonexistent-root", "-n", "images", "boot.wim"),
                        3, "namespace not found: 'images'", "ERROR_PATH_NOT_FOUND"),
                Arguments.of("unreachable server", List.of("get", "-s", "wds01.invalid", "-n", "synthetic", "1MiB"),
                        4, "server unreachable: wds01.invalid", "WSAHOST_NOT_FOUND"),
                Arguments.of("access denied", List.of("get", "-s", "wds01", "-n", "synthetic", "1MiB?auth=required", "--no-auth"),
                        5, "drop --no-auth", "ERROR_ACCESS_DENIED"),
                Arguments.of("no room for the object", List.of("demo", "--size", "1024TiB", "--block", "64MiB", "-o", "."),
                        6, "disk full: the object needs 1.00 PiB", "ERROR_DISK_FULL"),
                Arguments.of("disk full reported by the transport", List.of("get", "-s", "wds01", "-n", "synthetic", "4MiB?fail=112@1MiB"),
                        6, "disk full", "ERROR_DISK_FULL"),
                Arguments.of("cancelled by the transport", List.of("get", "-s", "wds01", "-n", "synthetic", "4MiB?fail=1223@1MiB"),
                        130, "cancelled", "ERROR_CANCELLED"),
                Arguments.of("other transport failure", List.of("get", "-s", "wds01", "-n", "synthetic", "4MiB?fail=1236@1MiB"),
                        1, "the session failed for '4MiB?fail=1236@1MiB'", "ERROR_CONNECTION_ABORTED"),
                Arguments.of("request refused as invalid", List.of("get", "-s", "wds01", "-n", "synthetic", "1MiB?colour=blue"),
                        1, "the transport refused the request for '1MiB?colour=blue'", "ERROR_INVALID_PARAMETER"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void eachFailureIsOneLineWithItsExitCode(String name, List<String> args, int exit, String words, String win32)
            throws Exception {
        List<String> a = args.stream().map(s -> s.equals(".") ? dir.toString() : s).toList();
        boolean hasOutput = a.contains("-o");
        String[] argv = hasOutput ? a.toArray(String[]::new)
                : Stream.concat(a.stream(), Stream.of("-o", dir.resolve("out.bin").toString())).toArray(String[]::new);

        CliRun r = CliRun.inProcess(argv);

        r.assertOneLineError(exit, words, win32);
        assertThat(files()).as("nothing left in the output directory").isEmpty();
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01.invalid", "-n", "synthetic", "1MiB", "-o",
                dir.resolve("x").toString(), "--verbose");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.err()).contains("WdsTransportException").contains("\tat ");
    }

    @Test
    void anExistingOutputIsKeptUnlessOverwriteIsAsked() throws Exception {
        Path target = dir.resolve("image.bin");
        Files.writeString(target, "previous");
        String[] get = {"get", "-s", "wds01", "-n", "synthetic", "64KiB?seed=2", "-o", target.toString()};

        CliRun fail = CliRun.inProcess(get);
        assertThat(fail.exitCode()).isEqualTo(8);
        assertThat(fail.err()).contains("output exists: " + target).contains("--if-exists=overwrite");
        assertThat(Files.readString(target)).isEqualTo("previous");

        CliRun skip = CliRun.inProcess(Stream.concat(Stream.of(get), Stream.of("--if-exists=skip")).toArray(String[]::new));
        assertThat(skip.exitCode()).isZero();
        assertThat(skip.record("skipped")).containsEntry("output", target.toString());
        assertThat(Files.readString(target)).isEqualTo("previous");

        CliRun overwrite = CliRun.inProcess(Stream.concat(Stream.of(get), Stream.of("--if-exists=OVERWRITE")).toArray(String[]::new));
        assertThat(overwrite.exitCode()).as(overwrite.err()).isZero();
        assertThat(Files.size(target)).isEqualTo(64 << 10);
        assertThat(files()).containsExactly("image.bin");
    }

    /**
     * A regular file that another process creates at the output while the object arrives
     * (absent at the start): --if-exists=overwrite replaces it as one that was there from the
     * start, skip keeps it and says so (exit 0), fail keeps it (exit 8).
     */
    @ParameterizedTest(name = "--if-exists={0}")
    @CsvSource({"overwrite, 0", "skip, 0", "fail, 8"})
    void aFileThatAppearsDuringTheTransferIsTreatedAsIfExistsSays(String ifExists, int exit) throws Exception {
        Path target = dir.resolve("image.bin");
        CliRun r = appearingDuring(target, () -> Files.writeString(target, "appeared", StandardOpenOption.CREATE_NEW),
                "get", "-s", "wds01", "-n", "synthetic", SLOWISH, "-o", target.toString(), "--if-exists=" + ifExists);

        assertThat(r.exitCode()).as(r.err()).isEqualTo(exit);
        assertThat(files()).as("no partial file").containsExactly("image.bin");
        switch (ifExists) {
            case "overwrite" -> {
                assertThat(r.errors()).isEmpty();
                assertThat(r.record("done")).containsEntry("output", target.toString());
                assertThat(Files.size(target)).isEqualTo(SLOWISH_SIZE);
            }
            case "skip" -> {
                assertThat(r.errors()).isEmpty();
                assertThat(r.record("skipped")).containsEntry("output", target.toString());
                assertThat(r.err()).contains("wdsget: note: output appeared during the transfer: " + target)
                        .contains("kept").contains("--if-exists=skip");
                assertThat(Files.readString(target)).isEqualTo("appeared");
            }
            default -> {
                assertThat(r.errors()).singleElement().asString()
                        .contains("output appeared during the transfer: " + target).contains("--if-exists=overwrite");
                assertThat(Files.readString(target)).isEqualTo("appeared");
            }
        }
    }

    /** A directory or a symbolic link that appears at the output meanwhile is never replaced, even under overwrite. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"directory", "link"})
    void aDirectoryOrLinkThatAppearsDuringTheTransferIsNeverReplaced(String what) throws Exception {
        Path target = dir.resolve("image.bin");
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "elsewhere");
        CliRun r = appearingDuring(target, () -> {
            if (what.equals("directory")) {
                Files.createDirectory(target);
            } else {
                Files.createSymbolicLink(target, elsewhere);
            }
        }, "get", "-s", "wds01", "-n", "synthetic", SLOWISH, "-o", target.toString(), "--if-exists=overwrite");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(8);
        assertThat(r.errors()).singleElement().asString().contains("output appeared during the transfer: " + target)
                .contains("(a " + (what.equals("directory") ? "directory" : "symbolic link") + ")")
                .contains("only a regular file is replaced");
        assertThat(files()).as("no partial file").containsExactlyInAnyOrder("elsewhere", "image.bin");
        assertThat(Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)).isEqualTo(what.equals("directory"));
        assertThat(Files.isSymbolicLink(target)).isEqualTo(what.equals("link"));
        assertThat(Files.readString(elsewhere)).isEqualTo("elsewhere");
    }

    /**
     * A --metadata file that another process creates while the object arrives follows --if-exists
     * as the output does: overwrite replaces it, skip keeps it and says so (exit 0), fail keeps it
     * (exit 8). The object itself, which had no file in the way, is received in every case.
     */
    @ParameterizedTest(name = "--if-exists={0}")
    @CsvSource({"overwrite, 0", "skip, 0", "fail, 8"})
    void aMetadataFileThatAppearsDuringTheTransferIsTreatedAsIfExistsSays(String ifExists, int exit) throws Exception {
        Path target = dir.resolve("image.bin");
        Path meta = dir.resolve("image.meta");
        CliRun r = appearingDuring(target, () -> Files.writeString(meta, "appeared", StandardOpenOption.CREATE_NEW),
                "get", "-s", "wds01", "-n", "synthetic", SLOWISH + "&meta=hello", "-o", target.toString(),
                "--metadata", meta.toString(), "--if-exists=" + ifExists);

        assertThat(r.exitCode()).as(r.err()).isEqualTo(exit);
        assertThat(files()).as("no partial file").containsExactlyInAnyOrder("image.bin", "image.meta");
        assertThat(Files.size(target)).as("the object").isEqualTo(SLOWISH_SIZE);
        switch (ifExists) {
            case "overwrite" -> {
                assertThat(r.errors()).isEmpty();
                assertThat(r.record("done")).containsEntry("output", target.toString());
                assertThat(Files.readString(meta)).isEqualTo("hello");
            }
            case "skip" -> {
                assertThat(r.errors()).isEmpty();
                assertThat(r.record("done")).containsEntry("output", target.toString());
                assertThat(r.err()).contains("wdsget: note: --metadata " + meta + " appeared during the transfer")
                        .contains("kept").contains("--if-exists=skip");
                assertThat(Files.readString(meta)).isEqualTo("appeared");
            }
            default -> {
                assertThat(r.errors()).singleElement().asString().startsWith("wdsget: the object was received")
                        .contains("--metadata " + meta + " appeared during the transfer")
                        .contains("--if-exists=overwrite");
                assertThat(Files.readString(meta)).isEqualTo("appeared");
            }
        }
    }

    /** A directory that appears at the --metadata file is never replaced, even under overwrite: exit 8, as for the output. */
    @Test
    void aDirectoryThatAppearsAtTheMetadataFileIsNeverReplaced() throws Exception {
        Path target = dir.resolve("image.bin");
        Path meta = dir.resolve("image.meta");
        CliRun r = appearingDuring(target, () -> Files.createDirectory(meta),
                "get", "-s", "wds01", "-n", "synthetic", SLOWISH + "&meta=hello", "-o", target.toString(),
                "--metadata", meta.toString(), "--if-exists=overwrite");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(8);
        assertThat(r.errors()).singleElement().asString()
                .contains("--metadata " + meta + " appeared during the transfer (a directory)")
                .contains("only a regular file is replaced");
        assertThat(files()).as("no partial file").containsExactlyInAnyOrder("image.bin", "image.meta");
        assertThat(meta).isEmptyDirectory();
        assertThat(Files.size(target)).isEqualTo(SLOWISH_SIZE);
    }

    /**
     * --if-exists=skip when only the --metadata file is there: the object, whose output is free, is
     * received; the metadata file is kept as it is, and a note says so (exit 0). Skip never fails
     * on a file that exists, and never leaves out an object because of its metadata.
     */
    @Test
    void skipWithOnlyTheMetadataFileThereReceivesTheObjectAndKeepsTheFile() throws Exception {
        Path target = dir.resolve("image.bin");
        Path meta = Files.writeString(dir.resolve("image.meta"), "previous");
        String[] get = {"get", "-s", "wds01", "-n", "synthetic", "64KiB?meta=hello", "-o", target.toString(),
            "--metadata", meta.toString(), "--if-exists=skip"};

        CliRun r = CliRun.inProcess(get);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("done")).containsEntry("output", target.toString());
        assertThat(r.errors()).isEmpty();
        assertThat(r.err()).contains("wdsget: note: --metadata " + meta + " exists; it was kept")
                .contains("--if-exists=skip");
        assertThat(Files.size(target)).isEqualTo(64 << 10);
        assertThat(Files.readString(meta)).isEqualTo("previous");
        assertThat(files()).containsExactlyInAnyOrder("image.bin", "image.meta");

        // both there: the object is skipped as before, and its metadata with it
        CliRun both = CliRun.inProcess(get);
        assertThat(both.exitCode()).as(both.err()).isZero();
        assertThat(both.record("skipped")).containsEntry("output", target.toString());
        assertThat(Files.readString(meta)).isEqualTo("previous");

        Files.delete(target);
        CliRun quiet = CliRun.inProcess(Stream.concat(Stream.of(get), Stream.of("-q")).toArray(String[]::new));
        assertThat(quiet.exitCode()).as(quiet.err()).isZero();
        assertThat(quiet.out() + quiet.err()).as("-q: no note").isEmpty();
        assertThat(Files.readString(meta)).isEqualTo("previous");
    }

    /** 100 blocks 20 ms apart: a couple of seconds for another "process" to create the output meanwhile. */
    private static final String SLOWISH = "6400KiB?block=64KiB&delay=20ms&seed=4";
    private static final long SLOWISH_SIZE = 6400 << 10;

    interface Action {
        void run() throws IOException;
    }

    /**
     * Runs wdsget (in this JVM, on another thread) and, once its session has started (its
     * partial file exists), does {@code appear} at {@code target}, as another process would.
     */
    CliRun appearingDuring(Path target, Action appear, String... args) throws Exception {
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.inProcess(args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (files().stream().noneMatch(f -> f.endsWith(".part"))) {
            assertThat(run).as("wdsget ended before its session started: %s", run.getNow(null)).isNotDone();
            assertThat(System.nanoTime() - deadline).as("the session to start").isNegative();
            Thread.sleep(10);
        }
        try {
            appear.run();
        } catch (FileAlreadyExistsException e) {
            run.get(60, TimeUnit.SECONDS);
            assumeTrue(false, "the object was complete before the output could appear (a very busy machine)");
        }
        return run.get(60, TimeUnit.SECONDS);
    }

    @Test
    void onATerminalABarAndASentence() {
        // 64 blocks 50 ms apart: the bar (redrawn every 200 ms) is drawn several times while the transfer runs
        CliRun r = CliRun.inProcess(true, "demo", "--size", "4MiB", "--seed", "1", "--delay", "50ms");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("%").contains("MiB/s").contains("ETA ").contains("Received 4.00 MiB in ")
                .contains("Verified every byte: 64 blocks");
        String sentence = r.err().substring(r.err().indexOf("Received 4.00 MiB"));
        assertThat(sentence).as("the bar is gone before the sentence").doesNotContain("\r");
    }

    @Test
    void onATerminalARunRefusedBeforeStartingDrawsNoBar() throws Exception {
        Path target = Files.writeString(dir.resolve("taken.bin"), "x");
        CliRun r = CliRun.inProcess(true, "get", "-s", "wds01", "-n", "synthetic", "1MiB", "-o", target.toString());
        assertThat(r.exitCode()).isEqualTo(8);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void quietPrintsNothingOnSuccess() {
        CliRun r = CliRun.inProcess("demo", "--size", "1MiB", "-q");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void defaultOutputNameIsTheObjectsLastComponent() {
        assertThat(GetCommand.defaultName("boot.wim")).isEqualTo("boot.wim");
        assertThat(GetCommand.defaultName("images/x64/boot.wim")).isEqualTo("boot.wim");
        assertThat(GetCommand.defaultName("images\\install.wim")).isEqualTo("install.wim");
        assertThat(GetCommand.defaultName("16MiB?order=shuffle")).isEqualTo("16MiB");
        assertThat(GetCommand.defaultName("dir/")).isEqualTo("object");
        assertThat(GetCommand.defaultName("..")).isEqualTo("object");
    }

    @Test
    void noSpaceFromTheFileSystemIsDiskFull() {
        TransferRequest req = TransferRequest.newBuilder().server("s").namespace("n").objectName("o").build();
        Outcome.Failure f = Outcome.classify(new IOException("No space left on device"), req, null);
        assertThat(f.outcome()).isEqualTo(Outcome.DISK_FULL);
        assertThat(f.message()).contains("ERROR_DISK_FULL");
        assertThat(Outcome.classify(new IOException("Input/output error"), req, null).outcome())
                .isEqualTo(Outcome.FAILURE);
        assertThat(Outcome.classify(new IOException("boom"), req, Outcome.Stop.signal()).outcome()).as("interrupted wins")
                .isEqualTo(Outcome.CANCELLED);
    }

    @Test
    void outputProblemsAreClassifiedAndWordedWithoutTheExceptionsClass() {
        Outcome.Problem denied = Outcome.ioProblem("cannot use the output x", new AccessDeniedException("/a/new"));
        assertThat(denied.outcome()).isEqualTo(Outcome.ACCESS_DENIED);
        assertThat(denied.getMessage()).startsWith("cannot use the output x: access denied: /a/new")
                .contains("ERROR_ACCESS_DENIED").doesNotContain("Exception");
        Outcome.Problem eperm = Outcome.ioProblem("w", new FileSystemException("/t/f", null, "Operation not permitted"));
        assertThat(eperm.outcome()).as("EPERM (a sticky directory)").isEqualTo(Outcome.ACCESS_DENIED);
        assertThat(Outcome.ioProblem("w", new FileSystemException("/ro/f", null, "Read-only file system")).outcome())
                .as("EROFS").isEqualTo(Outcome.ACCESS_DENIED);
        assertThat(Outcome.ioProblem("w", new IOException("No space left on device")).outcome())
                .isEqualTo(Outcome.DISK_FULL);
        Outcome.Problem missing = Outcome.ioProblem("w", new NoSuchFileException("/x/y"));
        assertThat(missing.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(missing.getMessage()).isEqualTo("w: no such file or directory: /x/y");
        TransferRequest req = TransferRequest.newBuilder().server("s").namespace("n").objectName("o").build();
        assertThat(Outcome.classify(new FileSystemException("/t/f", null, "Operation not permitted"), req, null)
                .outcome()).isEqualTo(Outcome.ACCESS_DENIED);
    }

    @Test
    void aCommandLineThatCannotMeanWhatItSaysReceivesNothing() throws Exception {
        CliRun twice = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB", "64KiB", "1MiB",
                "-o", dir + "/");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("the object '1MiB' is given twice");
        CliRun sameFile = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "1MiB?seed=1",
                "1MiB?seed=2", "-o", dir + "/");
        assertThat(sameFile.exitCode()).isEqualTo(2);
        assertThat(sameFile.err()).contains("another object of this call is written to");
        CliRun meta = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?meta=x",
                "-o", dir.resolve("a.wim").toString(), "--metadata", dir.resolve("a.wim").toString());
        assertThat(meta.exitCode()).isEqualTo(2);
        assertThat(meta.err()).contains("--metadata and --output name the same file");
        CliRun empty = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", "");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("--output is empty");
        CliRun spool = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?order=shuffle", "-o", "-",
                "--spool-dir", dir.resolve("nowhere").toString());
        assertThat(spool.exitCode()).isEqualTo(2);
        assertThat(spool.err()).contains("--spool-dir is not an existing directory");
        CliRun emptySpool = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?order=shuffle", "-o", "-",
                "--spool-dir", "");
        assertThat(emptySpool.exitCode()).isEqualTo(2);
        assertThat(emptySpool.err()).contains("--spool-dir is empty");
        assertThat(files()).as("nothing received by any of them").isEmpty();
    }

    /** With several objects each failure line starts with its object's name, also when the others were skipped. */
    @Test
    void aFailureNamesItsObjectAlsoWhenItRunsAlone() throws Exception {
        Files.writeString(dir.resolve("64KiB"), "kept");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "1MiB?fail=1236", "-o", dir + "/",
                "--if-exists=skip", "--progress", "none");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errors()).singleElement().asString().startsWith("wdsget: 1MiB?fail=1236: ");
        assertThat(Files.readString(dir.resolve("64KiB"))).isEqualTo("kept");
    }

    /** A spool file that cannot be written: the reason, and how much of the stream already went out. */
    @Test
    void aSpoolThatCannotBeWrittenSaysWhyAndWhatWasStreamed() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "procfs");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?order=shuffle&seed=3", "-o", "-",
                "--spool-dir", "/proc", "--progress", "none");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errors()).singleElement().asString().contains("a spool file in /proc cannot be written")
                .containsPattern("(nothing was written to|had already been written to) standard output");
    }

    /** Metadata to standard output is all that goes there: the hash too is shown on standard error then. */
    @Test
    void metadataToStandardOutputIsAloneThere() throws Exception {
        for (String mode : new String[] {"lines", "bar", "none"}) {
            CliRun r = CliRun.inProcess(false, mode.equals("bar"), "get", "-s", "wds01", "-n", "synthetic", "64KiB?meta=hello",
                    "-o", dir.resolve(mode + ".wim").toString(), "--metadata", "-", "--sha256", "--progress", mode);
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).as(mode).isEqualTo("hello");
            assertThat(r.err()).as(mode).contains(WdsGetTest.syntheticSha256(64 << 10, 0));
        }
    }

    @Test
    void metadataToAFullDeviceIsDiskFull() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?meta=hello",
                "-o", dir.resolve("boot.wim").toString(), "--metadata", "/dev/full");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(6);
        assertThat(r.err()).contains("saving its metadata to /dev/full failed: disk full");
    }

    @Test
    void exitCodesAreDistinctAndAllInTheHelp() {
        assertThat(Stream.of(Outcome.values()).map(Outcome::exitCode).distinct().count())
                .isEqualTo(Outcome.values().length);
        String help = CliRun.inProcess("--help").out();
        String words = help.replaceAll("\\s+", " ");
        for (Outcome o : Outcome.values()) {
            assertThat(help).containsPattern("(?m)^ +" + o.exitCode() + "  ");
        }
        assertThat(words).as("the severity order in the help is the one applied")
                .contains("in this order: " + Outcome.severityOrder() + ".");
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * A name with ESC, BEL and C1 (CSI) in it would set the terminal's title and colour if printed
     * raw: the bar, the records, errors, usage errors and doctor show it escaped, and the records
     * still parse back to the name.
     */
    @Test
    void controlCharactersInNamesAreShownEscaped() throws Exception {
        String evil = "\033]0;pwned\007\033[31m\u009b2JX";
        String shown = "\\e]0;pwned\\a\\e[31m\\u009b2JX";

        CliRun missing = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", evil, "-o", dir + "/missing.bin");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.errors()).singleElement().asString().contains("object not found: '" + shown + "'");
        assertThat(missing.record("request").get("object")).as("the record parses back to the name").isEqualTo(evil);
        assertThat(CliRun.rawControls(missing.out() + missing.err())).isEmpty();

        // as a file name, without the C1 character where the locale's character set has none (ASCII)
        boolean c1 = io.github.wdstci.cli.Arguments.namesCharset().newEncoder().canEncode(evil);
        String evilFile = c1 ? evil : evil.replace("\u009b", "");
        String shownFile = c1 ? shown : shown.replace("\\u009b", "");
        Path out = dir.resolve("x" + evilFile);
        CliRun bar = CliRun.inProcess(true, "get", "-s", "wds\033[2J01", "-n", "synthetic", "64KiB", "-o", out.toString());
        assertThat(bar.exitCode()).as(bar.err()).isZero();
        assertThat(bar.err()).contains("Receiving 64KiB from wds\\e[2J01 (namespace synthetic) into " + dir + "/x"
                + shownFile).contains(" -> " + dir + "/x" + shownFile);
        assertThat(CliRun.rawControls(bar.out() + bar.err())).isEmpty();
        assertThat(out).as("the file has the name asked for").isRegularFile();

        CliRun lines = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", dir + "/y" + evilFile,
                "--sha256");
        assertThat(lines.exitCode()).as(lines.err()).isZero();
        assertThat(lines.record("done").get("output")).isEqualTo(dir + "/y" + evilFile);
        assertThat(CliRun.rawControls(lines.out() + lines.err())).isEmpty();
        assertThat(CliRun.parse("x v=" + LinesDisplay.quote("\\e\033\\")).get("v")).as("a backslash typed is not an escape")
                .isEqualTo("\\e\033\\");

        CliRun usage = CliRun.inProcess("demo", "--size", "1" + evil);
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains(shown);
        assertThat(CliRun.rawControls(usage.err())).isEmpty();

        CliRun doctor = CliRun.inProcess("doctor", "-s", "wds01", "-n", "synthetic", evil);
        assertThat(doctor.exitCode()).isEqualTo(3);
        assertThat(doctor.out()).contains("object " + shown + ": not found");
        assertThat(CliRun.rawControls(doctor.out() + doctor.err())).isEmpty();
    }

    // ---- transport identity ------------------------------------------------------------------

    @Test
    void versionNamesTheTransportLibrary() {
        CliRun r = CliRun.inProcess("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("(?m)^Transport: stand-in: loopback, no network \\(/.+\\)$");
    }

    @Test
    void getAgainstTheStandInSaysSoOnceAndInTheRequestRecord() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "128KiB?seed=1",
                "-o", dir + "/", "--create-dirs");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.messages()).as("one note for the run, not one per object").singleElement()
                .asString().startsWith("wdsget: note: the transport is the stand-in: loopback, no network (")
                .contains("no WDS server is contacted");
        assertThat(r.records()).filteredOn(m -> m.get("kind").equals("request")).hasSize(2)
                .allSatisfy(m -> assertThat(m.get("transport")).startsWith("stand-in: loopback, no network ("));

        assertThat(CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", dir.resolve("q").toString(),
                "-q").err()).as("-q: no note").isEmpty();
        assertThat(CliRun.inProcess("demo", "--size", "64KiB").messages()).as("demo is the stand-in by design").isEmpty();
    }

    // ---- options ------------------------------------------------------------------------------

    @Test
    void quietSha256PrintsTheHashAlone() throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?seed=5&order=shuffle", "-o",
                dir.resolve("x.bin").toString(), "-q", "--sha256");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(syntheticSha256(1 << 20, 5) + System.lineSeparator());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void timeoutStopsTheWholeTransferAndKeepsNothing() throws Exception {
        // 64 blocks 50 ms apart cannot finish within the 1 s timeout, however fast the machine
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "4MiB?block=64KiB&delay=50ms",
                "-o", dir.resolve("slow.bin").toString(), "--timeout", "1s");
        r.assertOneLineError(9, "timed out after 1s (--timeout)", "ERROR_TIMEOUT");
        assertThat(r.errors().get(0)).endsWith("; the output was not written");
        assertThat(files()).isEmpty();
    }

    /**
     * Durations count whole milliseconds, for every option that takes one: a finer one is refused
     * up front, naming the option, rather than cut to the millisecond and shown cut.
     */
    @Test
    void durationsFinerThanAMillisecondAreRefusedByEveryOption() throws Exception {
        String out = dir.resolve("x.bin").toString();
        for (List<String> args : List.of(
                List.of("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", out, "--timeout", "1.5ms"),
                List.of("get", "-s", "wds01", "-n", "synthetic", "64KiB", "-o", out, "--timeout", "PT1.0005S"),
                List.of("demo", "--size", "64KiB", "-o", out, "--timeout", "2.0001s"),
                List.of("demo", "--size", "64KiB", "-o", out, "--delay", "1.5ms"),
                List.of("doctor", "-s", "wds01", "--timeout", "1m0.0005s"))) {
            CliRun r = CliRun.inProcess(args.toArray(String[]::new));
            String option = args.get(args.size() - 2);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("wdsget: Invalid value for option '" + option
                    + "': ").contains("'" + args.get(args.size() - 1) + "'").contains("whole milliseconds")
                    .doesNotContain("Exception");
            assertThat(r.out()).isEmpty();
        }
        assertThat(files()).as("nothing received").isEmpty();
    }

    /** A duration too long to count in nanoseconds is a usage error, also when only its sum is, not a stack trace. */
    @Test
    void aDurationTooLongIsAUsageError() {
        for (List<String> args : List.of(List.of("demo", "--size", "64KiB", "--timeout", "50000d50000d50000d"),
                List.of("demo", "--size", "64KiB", "--timeout", "PT99999999999H"),
                List.of("doctor", "--timeout", "PT99999999999H"))) {
            CliRun r = CliRun.inProcess(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("wdsget: Invalid value for option '--timeout': duration too long: '")
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    /** A timeout given to the millisecond is reported as given, not rounded or cut. */
    @Test
    void aTimeoutIsReportedExactly() throws Exception {
        // 64 blocks 50 ms apart cannot finish within the 1.001 s timeout, however fast the machine
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "4MiB?block=64KiB&delay=50ms",
                "-o", dir.resolve("slow.bin").toString(), "--timeout", "1001ms");
        r.assertOneLineError(9, "timed out after 1.001s (--timeout)", "ERROR_TIMEOUT");
        assertThat(files()).isEmpty();
    }

    @Test
    void metadataIsSavedWhenAskedAndMissingMetadataIsSaid() throws Exception {
        Path meta = dir.resolve("boot.meta");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?meta=hello",
                "-o", dir.resolve("boot.wim").toString(), "--metadata", meta.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(meta)).isEqualTo("hello");

        CliRun exists = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB?meta=x",
                "-o", dir.resolve("other.wim").toString(), "--metadata", meta.toString());
        assertThat(exists.exitCode()).as("an existing metadata file is kept").isEqualTo(8);
        assertThat(Files.readString(meta)).isEqualTo("hello");
        assertThat(dir.resolve("other.wim")).doesNotExist();

        CliRun none = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "64KiB",
                "-o", dir.resolve("plain.wim").toString(), "--metadata", dir.resolve("none.meta").toString());
        assertThat(none.exitCode()).isZero();
        assertThat(none.err()).contains("the server sent no metadata");
        assertThat(dir.resolve("none.meta")).doesNotExist();
        assertThat(files()).containsExactlyInAnyOrder("boot.meta", "boot.wim", "plain.wim");
    }

    @Test
    void severalObjectsAreReceivedIntoADirectoryWithOneDisplay() throws Exception {
        Path out = dir.resolve("images");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?seed=1&order=shuffle",
                "2MiB?seed=2&order=wrap", "3MiB?seed=3", "-o", out + "/", "--create-dirs", "--sha256");
        assertThat(r.exitCode()).as(r.err()).isZero();
        for (int i = 1; i <= 3; i++) {
            Path f = out.resolve(i + "MiB");
            assertThat(sha256(Files.readAllBytes(f))).isEqualTo(syntheticSha256((long) i << 20, i));
        }
        List<Map<String, String>> progress = r.records().stream().filter(m -> m.get("kind").equals("progress")).toList();
        assertThat(progress).as("one combined progress display").isNotEmpty()
                .allSatisfy(m -> assertThat(m).containsKey("objects"));
        assertThat(progress.get(progress.size() - 1)).containsEntry("bytes", Long.toString(6L << 20));
        assertThat(r.records()).filteredOn(m -> m.get("kind").equals("done")).hasSize(3);
    }

    /**
     * A U+FFFD typed in a valid UTF-8 name is a character like any other, in --output too. Under
     * a locale whose character set has no U+FFFD (the POSIX locale's ASCII) no file can have that
     * name: wdsget says which locale to set, and receives nothing.
     */
    @Test
    void anOutputNamedWithAReplacementCharacterIsWritten() throws Exception {
        String name = dir + "/r\uFFFD";
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB", "-q", "-o", name);
        if (!io.github.wdstci.cli.Arguments.namesCharset().newEncoder().canEncode(name)) {
            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.errors()).singleElement().asString().startsWith("wdsget: --output '" + name + "' has characters")
                    .contains("set LC_ALL or LANG to a UTF-8 locale").doesNotContain("Exception");
            assertThat(files()).isEmpty();
            return;
        }
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(dir.resolve("r\uFFFD")).hasSize(1 << 20);
    }

    /** Object names may stand anywhere among the options, as in most command-line tools. */
    @Test
    void objectNamesMayBeInterleavedWithOptions() throws Exception {
        CliRun r = CliRun.inProcess("get", "1MiB?seed=1", "-s", "wds01", "2MiB?seed=2", "-n", "synthetic",
                "-o", dir + "/", "3MiB?seed=3", "-q");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(files()).containsExactlyInAnyOrder("1MiB", "2MiB", "3MiB");
        assertThat(Files.size(dir.resolve("3MiB"))).isEqualTo(3L << 20);
    }

    @Test
    void severalObjectsExitWithTheWorstOutcomeAndKeepTheGoodOnes() throws Exception {
        Files.writeString(dir.resolve("taken"), "x");
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB", "no-such-object",
                "taken", "-o", dir.toString());
        assertThat(r.exitCode()).as("not found (3) is worse than exists (8)").isEqualTo(3);
        assertThat(r.errors()).hasSize(2).anySatisfy(l -> assertThat(l).startsWith("wdsget: no-such-object: object not found"))
                .anySatisfy(l -> assertThat(l).startsWith("wdsget: taken: output exists"));
        assertThat(files()).containsExactlyInAnyOrder("1MiB", "taken");
        assertThat(Outcome.worst(Outcome.TARGET_EXISTS, Outcome.NOT_FOUND)).isEqualTo(Outcome.NOT_FOUND);
        assertThat(Outcome.worst(Outcome.SUCCESS, Outcome.TIMED_OUT)).isEqualTo(Outcome.TIMED_OUT);
        assertThat(Outcome.worst(Outcome.CANCELLED, Outcome.VERIFICATION_FAILED)).isEqualTo(Outcome.CANCELLED);
    }

    @Test
    void severalObjectsNeedADirectory() {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB", "2MiB",
                "-o", dir.resolve("one-file").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errors()).allSatisfy(l -> assertThat(l).contains("--output must be a directory"));
        CliRun dup = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB?seed=1", "1MiB?seed=2", "-o", dir.toString());
        assertThat(dup.exitCode()).isEqualTo(2);
        assertThat(dup.err()).contains("another object of this call is written to");
    }

    @Test
    void siAndIecSizesWithDecimalsAreAcceptedAndExplained() {
        CliRun r = CliRun.inProcess("demo", "--size", "1.5MiB", "--block", "0.5MB", "--seed", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.record("done")).containsEntry("bytes", Long.toString(3 << 19)).containsEntry("blocks", "4");
        assertThat(CliRun.inProcess("get", "--help").out().replaceAll("\\s+", " ")).contains("powers of 1000")
                .contains("powers of 1024").contains("Decimals are allowed");
    }

    /**
     * The stand-in's synthetic objects are named by their size: every size --size takes (SI units,
     * decimals) names one too, as the demo's object does, not only the units the stand-in reads.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"1MB, 1000000", "1.5MiB, 1572864", "0.5kB?seed=3, 500", "2k, 2048"})
    void syntheticObjectsAreNamedBySizesAsTheOptionsWriteThem(String object, long bytes) throws Exception {
        CliRun r = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", object, "-o", dir + "/", "--sha256");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String file = GetCommand.defaultName(object);
        assertThat(files()).containsExactly(file);
        assertThat(dir.resolve(file)).hasSize(bytes);
        long seed = object.contains("seed=3") ? 3 : 0;
        assertThat(r.record("done")).containsEntry("object", object).containsEntry("sha256", syntheticSha256(bytes, seed));
    }

    @Test
    void errorsNameTheOptionNotTheLibrarysField() {
        CliRun blank = CliRun.inProcess("get", "-s", "wds01", "-n", " ", "1MiB");
        assertThat(blank.exitCode()).isEqualTo(2);
        assertThat(blank.err()).contains("--namespace must not be blank").doesNotContain("namespace must not be blank:");

        CliRun cache = CliRun.inProcess("demo", "--size", "1MiB", "--cache-size", "5GB");
        assertThat(cache.exitCode()).isEqualTo(2);
        assertThat(cache.err()).contains("--cache-size must be at most").doesNotContain("cacheSize");

        assertThat(TransferOptions.optionNames("objectName must not contain NUL characters"))
                .isEqualTo("OBJECT must not contain NUL characters");
        assertThat(TransferOptions.optionNames("cacheSize must be between 0 and 4294967295: -1"))
                .startsWith("--cache-size must be");
        assertThat(TransferOptions.optionNames("something else")).isEqualTo("something else");

        CliRun policy = CliRun.inProcess("get", "-s", "wds01", "-n", "synthetic", "1MiB", "--if-exists", "nope");
        assertThat(policy.exitCode()).isEqualTo(2);
        assertThat(policy.err()).contains("'--if-exists': expected one of fail, overwrite, skip but was 'nope'");
        assertThat(CliRun.inProcess("demo", "--order", "SHUFFLE", "--size", "64KiB").exitCode()).as("any case").isZero();

        CliRun size = CliRun.inProcess("demo", "--size", "1.5XB");
        assertThat(size.err()).contains("'--size'");
        CliRun timeout = CliRun.inProcess("demo", "--timeout", "soon");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("'--timeout'").contains("not a duration");
    }

    @Test
    void aCacheThatForcesTinyBlocksIsWarnedAbout() {
        CliRun r = CliRun.inProcess("demo", "--size", "64KiB", "--cache-size", "1KiB", "--block", "64KiB");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).startsWith("wdsget: warning: --cache-size 1.00 KiB also caps every block at 1.00 KiB");
        assertThat(r.record("done")).containsEntry("blocks", "64");
        assertThat(CliRun.inProcess("demo", "--size", "64KiB", "--cache-size", "1KiB", "-q").err()).isEmpty();
        assertThat(CliRun.inProcess("demo", "--size", "64KiB").messages()).isEmpty();
    }

    /**
     * What became of standard output decides the exit code: lost to a full disk, a run fails and
     * says so; read by nobody (a reader gone, closed), only a run that receives objects does.
     */
    @Test
    void outputNobodyReadsFailsOnlyARunThatReceives() {
        for (String reason : new String[] {"Broken pipe", "Bad file descriptor"}) {
            for (String command : new String[] {"doctor", "--version", "help", "generate-completion"}) {
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = WdsGet.afterOutput(0, command.split(" "), true, new IOException(reason),
                        new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
                assertThat(code).as(command + ": " + reason).isZero();
                assertThat(err.toString()).isEmpty();
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = WdsGet.afterOutput(0, new String[] {"get", "-q", "--sha256"}, true, new IOException(reason),
                    new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("not everything printed reached standard output (" + reason + ")")
                    .contains("anything received is in place");
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WdsGet.afterOutput(0, new String[] {"doctor"}, true, new IOException("No space left on device"),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("not everything printed reached standard output (No space left on device)")
                .doesNotContain("received");
        assertThat(WdsGet.afterOutput(3, new String[] {"get"}, true, null, System.err)).as("a failure stands").isEqualTo(3);
    }

    @Test
    void helpIsAlsoASubcommand() {
        CliRun r = CliRun.inProcess("help", "get");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: wdsget get").contains("--timeout").contains("--metadata");
        assertThat(CliRun.inProcess("help").out()).contains("doctor").contains("Exit codes:");
        assertThat(CliRun.inProcess("help", "--help").out()).as("help's own help lists -V as every command's does")
                .contains("Usage: wdsget help [-hV] [COMMAND]").contains("-V, --version");
    }

    @Test
    void theCompletionScriptComesFromPicocli() {
        CliRun r = CliRun.inProcess("generate-completion");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F").contains("doctor").contains("--if-exists");
    }
}
