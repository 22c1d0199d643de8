package io.github.wdstci.cli;

import static io.github.wdstci.cli.WdsGetTest.sha256;
import static io.github.wdstci.cli.WdsGetTest.syntheticSha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code --output} sends the object: files, directories, symbolic
 * links, FIFOs, device nodes and standard output; and what is left behind.
 */
class OutputTest {

    @TempDir
    Path dir;

    private static final String SHUFFLED = "3MiB?order=shuffle&block=16KiB&seed=21";

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static CliRun get(String object, String... more) {
        return CliRun.inProcess(Stream.concat(Stream.of("get", "-s", "wds01", "-n", "synthetic", object), Stream.of(more))
                .toArray(String[]::new));
    }

    static int mode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue() & 0170000;
    }

    // ---- directories ----------------------------------------------------------------------------

    /** A file name longer than file systems take is refused before anything is received, not at the rename. */
    @Test
    void aFileNameTooLongIsRefusedUpFront() throws Exception {
        String name = "n".repeat(300);
        CliRun r = get("1MiB", "-o", dir.resolve(name).toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.errors()).singleElement().asString().contains("output file name is too long: 300 bytes")
                .doesNotContain(".part");
        assertThat(files()).isEmpty();
        CliRun fits = get("64KiB", "-o", dir.resolve("n".repeat(255)).toString());
        assertThat(fits.exitCode()).as(fits.err()).isZero();
    }

    @Test
    void aMissingDirectoryIsAnErrorAndNeverBecomesAFile() throws Exception {
        CliRun r = get("1MiB", "-o", dir.resolve("missing") + "/");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errors()).singleElement().asString()
                .startsWith("wdsget: output directory does not exist: " + dir.resolve("missing") + "/")
                .contains("--create-dirs");
        assertThat(files()).isEmpty();

        CliRun parent = get("1MiB", "-o", dir.resolve("missing/image.bin").toString());
        assertThat(parent.exitCode()).isEqualTo(1);
        assertThat(parent.err()).contains("output directory does not exist: " + dir.resolve("missing"));
        assertThat(files()).isEmpty();
    }

    @Test
    void createDirsMakesTheDirectory() throws Exception {
        CliRun r = get("1MiB?seed=4", "-o", dir.resolve("a/b") + "/", "--create-dirs");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(sha256(Files.readAllBytes(dir.resolve("a/b/1MiB")))).isEqualTo(syntheticSha256(1 << 20, 4));

        CliRun file = get("1MiB?seed=4", "-o", dir.resolve("c/d/x.bin").toString(), "--create-dirs");
        assertThat(file.exitCode()).as(file.err()).isZero();
        assertThat(dir.resolve("c/d/x.bin")).isRegularFile().hasSize(1 << 20);
    }

    /** A command line refused as a whole creates no directory first, whatever --create-dirs says. */
    @Test
    void createDirsCreatesNothingForACommandLineThatIsRefused() throws Exception {
        CliRun twice = get("1MiB?seed=1", "1MiB?seed=2", "-o", dir.resolve("new") + "/", "--create-dirs");
        assertThat(twice.exitCode()).as(twice.err()).isEqualTo(2);
        assertThat(twice.err()).contains("another object of this call is written to");

        CliRun same = get("1MiB", "-o", dir.resolve("new/x.bin").toString(), "--metadata",
                dir.resolve("new/x.bin").toString(), "--create-dirs");
        assertThat(same.exitCode()).as(same.err()).isEqualTo(2);
        assertThat(same.err()).contains("--metadata and --output name the same file");

        CliRun device = get("1MiB", "-o", dir.resolve("new/deeper/x.bin").toString(), "--create-dirs",
                "--metadata", dir.resolve("new/deeper") + "/", "--device");
        assertThat(device.exitCode()).as(device.err()).isEqualTo(2);
        assertThat(files()).as("no directory made").isEmpty();
    }

    /**
     * A problem that every object of a call has alike (their one output directory) is said once,
     * not once per object; one that differs per object still names it.
     */
    @Test
    void aProblemSharedByEveryObjectIsSaidOnce() throws Exception {
        CliRun r = get("1MiB", "2MiB", "3MiB", "-o", dir.resolve("missing") + "/");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errors()).singleElement().asString()
                .isEqualTo("wdsget: output directory does not exist: " + dir.resolve("missing")
                        + "/ (add --create-dirs to create it)");

        Files.writeString(dir.resolve("2MiB"), "x");
        Files.writeString(dir.resolve("3MiB"), "x");
        CliRun taken = get("2MiB", "3MiB", "-o", dir + "/");
        assertThat(taken.exitCode()).isEqualTo(8);
        assertThat(taken.errors()).hasSize(2).allSatisfy(l -> assertThat(l).contains(": output exists: "));
    }

    @Test
    void anExistingDirectoryReceivesTheObjectUnderItsName() throws Exception {
        CliRun r = get("64KiB?seed=1", "-o", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(files()).containsExactly("64KiB");
    }

    @Test
    void aFileWhereADirectoryIsMeantIsAnError() throws Exception {
        Files.writeString(dir.resolve("plain"), "x");
        CliRun r = get("1MiB", "-o", dir.resolve("plain") + "/");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("output is not a directory");
        assertThat(Files.readString(dir.resolve("plain"))).isEqualTo("x");
    }

    // ---- symbolic links ------------------------------------------------------------------------

    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws Exception {
        Path real = Files.writeString(dir.resolve("real.bin"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("real.bin"));

        CliRun refused = get(SHUFFLED, "-o", link.toString());
        assertThat(refused.exitCode()).as("the link's target exists").isEqualTo(8);

        CliRun r = get(SHUFFLED, "-o", link.toString(), "--if-exists", "overwrite");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("real.bin"));
        assertThat(sha256(Files.readAllBytes(real))).isEqualTo(syntheticSha256(3 << 20, 21));
        assertThat(files()).containsExactly("link.bin", "real.bin");
    }

    @Test
    void aDanglingSymbolicLinkCreatesItsTarget() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("sub/new.bin"));
        CliRun r = get(SHUFFLED, "-o", link.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(sha256(Files.readAllBytes(dir.resolve("sub/new.bin")))).isEqualTo(syntheticSha256(3 << 20, 21));
    }

    @Test
    void overwriteReplacesARegularFileAtomicallyAndLeavesNoTemporaryFile() throws Exception {
        Path target = Files.writeString(dir.resolve("image.bin"), "previous");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        CliRun r = get(SHUFFLED, "-o", target.toString(), "--if-exists", "overwrite");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(sha256(Files.readAllBytes(target))).isEqualTo(syntheticSha256(3 << 20, 21));
        assertThat(files()).containsExactly("image.bin");
    }

    // ---- streams ------------------------------------------------------------------------------

    @Test
    void standardOutputGetsTheExactBytesOfAShuffledObject() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] exit = new int[1];
        byte[] bytes = CliRun.inProcessBytes(List.of("get", "-s", "wds01", "-n", "synthetic", SHUFFLED, "-o", "-",
                "--sha256"), err, exit);
        String errors = err.toString(StandardCharsets.UTF_8);
        assertThat(exit[0]).as(errors).isZero();
        assertThat(bytes).hasSize(3 << 20);
        assertThat(sha256(bytes)).isEqualTo(syntheticSha256(3 << 20, 21));
        assertThat(errors).as("the display goes to stderr").contains("done ").contains("sha256=" + sha256(bytes));
        assertThat(errors.lines().filter(l -> l.startsWith("progress ")).map(CliRun::parse))
                .as("no progress before the session started").isNotEmpty()
                .allSatisfy(m -> assertThat(m.get("total")).isEqualTo(Long.toString(3 << 20)));
        assertThat(files()).isEmpty();
    }

    /** An object's bytes are not written onto a terminal: a usage error says how to send them elsewhere. */
    @Test
    void standardOutputOnATerminalIsRefused() throws Exception {
        for (String option : new String[] {"-o", "--metadata"}) {
            List<String> args = new java.util.ArrayList<>(List.of("get", "-s", "wds01", "-n", "synthetic",
                    "64KiB?meta=hello", option, "-"));
            if (option.equals("--metadata")) {
                args.addAll(List.of("-o", dir.resolve("x.bin").toString()));
            }
            CliRun r = CliRun.inProcess(true, args.toArray(String[]::new));
            assertThat(r.exitCode()).as(option + ": " + r.err()).isEqualTo(2);
            assertThat(r.errors()).singleElement().asString().contains("standard output is a terminal")
                    .contains("redirect it");
            assertThat(r.out()).as("nothing written onto the terminal").isEmpty();
        }
        assertThat(files()).isEmpty();
    }

    @Test
    void standardOutputTakesOneObject() {
        CliRun r = get("1MiB", "2MiB", "-o", "-");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--output - (standard output) takes one object");
    }

    /** A FIFO nobody reads yet: wdsget says that it waits for a reader, and goes on once one comes. */
    @Test
    void aFifoWithoutAReaderIsSaidToWaitForOne() throws Exception {
        Path fifo = dir.resolve("pipe");
        Nodes.mkfifo(fifo);
        CliRun.Live run = CliRun.start("get", "-s", "wds01", "-n", "synthetic", SHUFFLED, "-o", fifo.toString());
        try {
            run.awaitErr("waiting for a reader");
        } catch (AssertionError e) {
            try (InputStream in = Files.newInputStream(fifo)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());     // let the run end
            }
            throw e;
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(fifo)) {
            bytes = in.readAllBytes();
        }
        CliRun r = run.get();
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.errors()).isEmpty();
        assertThat(r.err()).contains("wdsget: note: waiting for a reader of the FIFO " + fifo);
        assertThat(sha256(bytes)).isEqualTo(syntheticSha256(3 << 20, 21));
    }

    @Test
    void aFifoGetsTheBytesInOrderAndStaysAFifo() throws Exception {
        Path fifo = dir.resolve("pipe");
        Nodes.mkfifo(fifo);
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CliRun r = get(SHUFFLED, "-o", fifo.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        byte[] bytes = reader.get(120, TimeUnit.SECONDS);
        assertThat(sha256(bytes)).isEqualTo(syntheticSha256(3 << 20, 21));
        assertThat(mode(fifo)).as("still a FIFO").isEqualTo(0010000);
        assertThat(files()).containsExactly("pipe");
    }

    @Test
    void aCharacterDeviceIsStreamedToAndStaysADevice() throws Exception {
        Path devNull = dir.resolve("null");
        Nodes.mknodChar(devNull, 1, 3);
        CliRun r = get(SHUFFLED, "-o", devNull.toString(), "--sha256", "-q");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip()).as("the bytes that went through").isEqualTo(syntheticSha256(3 << 20, 21));
        assertThat(mode(devNull)).as("still a character device").isEqualTo(0020000);
        assertThat(files()).containsExactly("null");
    }

    @Test
    void aSpoolDirectoryThatDoesNotExistIsRefusedBeforeAnythingIsStreamed() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] exit = new int[1];
        byte[] bytes = CliRun.inProcessBytes(List.of("get", "-s", "wds01", "-n", "synthetic", SHUFFLED, "-o", "-",
                "--spool-dir", dir.resolve("no-such-dir").toString()), err, exit);
        assertThat(exit[0]).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--spool-dir is not an existing directory: " + dir.resolve("no-such-dir"));
        assertThat(bytes).isEmpty();
    }

    // ---- block devices ------------------------------------------------------------------------

    /**
     * --device confirms overwriting a disk: a mistyped device name, a file, a directory or
     * a character device is a usage error naming it, and nothing is received or created.
     */
    @Test
    void deviceRefusesWhatIsNotABlockDevice() throws Exception {
        Path typo = dir.resolve("sdzz");
        CliRun missing = get("8MiB", "-o", typo.toString(), "--device");
        assertThat(missing.exitCode()).as(missing.err()).isEqualTo(2);
        assertThat(missing.errors()).singleElement().asString()
                .isEqualTo("wdsget: --device: " + typo + " does not exist; --device writes onto an existing block device"
                        + " (lsblk lists them)");
        assertThat(missing.out()).as("no request: nothing was asked").isEmpty();
        assertThat(files()).as("no file made under the mistyped name").isEmpty();

        Path file = dir.resolve("disk.img");
        Files.writeString(file, "kept");
        CliRun regular = get("64KiB", "-o", file.toString(), "--device", "--if-exists=overwrite");
        assertThat(regular.exitCode()).isEqualTo(2);
        assertThat(regular.err()).contains("--device: " + file + " is a regular file, not a block device");
        assertThat(Files.readString(file)).isEqualTo("kept");

        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, dir.resolve("nowhere"));
        assertThat(get("64KiB", "-o", link.toString(), "--device").err()).contains(link + " is a symbolic link to nothing");

        assertThat(get("64KiB", "-o", dir + "/", "--device").err()).contains(dir + "/ is a directory, not a block device");
        assertThat(get("64KiB", "-o", "/dev/null", "--device").err())
                .contains("/dev/null is a character device, not a block device");
        CliRun demo = CliRun.inProcess("demo", "--size", "64KiB", "--device");
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).contains("--device needs --output naming the block device to write");
        assertThat(files()).containsExactly("disk.img", "link");
    }

    @Test
    void aBlockDeviceIsWrittenInPlaceOnlyWhenConfirmed() throws Exception {
        Path backing = dir.resolve("disk.img");
        try (var ch = java.nio.channels.FileChannel.open(backing, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), (4 << 20) - 1);     // 4 MiB, sparse
        }
        Path loop = Nodes.loop(backing);
        try {
            List<Integer> n = Nodes.numbers(loop);
            Path node = dir.resolve("disk");
            Nodes.mknodBlock(node, n.get(0), n.get(1));

            CliRun refused = get(SHUFFLED, "-o", node.toString());
            assertThat(refused.exitCode()).isEqualTo(8);
            assertThat(refused.err()).contains("output is a block device").contains("--device");

            CliRun tooBig = get("5MiB", "-o", node.toString(), "--device");
            assertThat(tooBig.exitCode()).isEqualTo(6);
            assertThat(tooBig.err()).contains("does not fit the device").contains("nothing was written to it");

            CliRun r = get(SHUFFLED, "-o", node.toString(), "--device", "--sha256=" + syntheticSha256(3 << 20, 21));
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(mode(node)).as("still a block device").isEqualTo(0060000);
            Nodes.run("sync");
            byte[] disk = Files.readAllBytes(backing);
            assertThat(disk).hasSize(4 << 20);
            assertThat(sha256(java.util.Arrays.copyOf(disk, 3 << 20))).isEqualTo(syntheticSha256(3 << 20, 21));
            assertThat(disk[(4 << 20) - 1]).as("beyond the object: untouched").isEqualTo((byte) 1);

            CliRun overwrite = get("1MiB", "-o", node.toString(), "--if-exists", "overwrite");
            assertThat(overwrite.exitCode()).as("--if-exists=overwrite confirms too").isZero();
            assertThat(mode(node)).isEqualTo(0060000);
        } finally {
            Nodes.detach(loop);
        }
    }
}
