package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code get -c} and {@code --retries} with resume, in this JVM: a failed run under -c keeps
 * its partial file and the record of what is on disk, and the next -c run asks the transport
 * for the rest only; a retry does the same within a run. What cannot be continued starts over,
 * saying why: no partial file (quietly), one of another object, of another size, or whose
 * record is damaged.
 *
 * <p>A partial file counts as an earlier run's only when that run's process is gone; the runs
 * here share this JVM, so a test renames the one a run kept to the name a dead process would
 * have given it (as a run in another process, ended, would leave it).
 */
class ContinueTest {

    @TempDir
    Path dir;

    /** 4 MiB that fail after 3 MiB: the first run keeps 3 MiB; the next asks for the last MiB only, and ends. */
    static final String FAILS_LATE = "4MiB?seed=2&fail=1236@3MiB";

    List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    CliRun get(String object, String... more) {
        List<String> args = new ArrayList<>(List.of("get", "-s", "wds01", "-n", "synthetic", object, "-o",
                dir.resolve("x.bin").toString(), "--log", dir.resolve("run.log").toString()));
        args.addAll(List.of(more));
        return CliRun.inProcess(args.toArray(String[]::new));
    }

    List<String> log() throws IOException {
        return Files.readAllLines(dir.resolve("run.log")).stream().map(l -> l.replaceFirst(LogTest.STAMP, "")).toList();
    }

    /** The partial file this JVM's run kept, renamed as a process that has ended would have left it; its new path. */
    Path asIfLeftByADeadProcess() throws Exception {
        long dead = StalePartsTest.deadPid();
        String mine = ".x.bin.wdsget-" + ProcessHandle.current().pid() + ".part";
        assertThat(files()).contains(mine, mine + ".ranges");
        Path part = dir.resolve(".x.bin.wdsget-" + dead + ".part");
        Files.move(dir.resolve(mine + ".ranges"), dir.resolve(part.getFileName() + ".ranges"));
        return Files.move(dir.resolve(mine), part);
    }

    @Test
    void withoutAPartialFileTheWholeObjectIsReceived() throws Exception {
        CliRun r = get("2MiB?seed=1", "-c");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("x.bin")))).isEqualTo(WdsGetTest.syntheticSha256(2 << 20, 1));
        assertThat(log()).contains("2MiB?seed=1: -c: no partial file of " + dir.resolve("x.bin") + " to continue; from the start");
        assertThat(r.errors()).isEmpty();
        assertThat(files()).containsExactly("run.log", "x.bin");
    }

    @Test
    void aFailedRunKeepsItsPartialFileAndTheNextContinuesIt() throws Exception {
        CliRun first = get(FAILS_LATE, "-c");
        first.assertOneLineError(1, "ERROR_CONNECTION_ABORTED", "ERROR_CONNECTION_ABORTED");
        assertThat(first.errors().get(0)).contains("3.00 MiB of 4.00 MiB stay in ").endsWith(" for 'wdsget get -c' to continue");
        asIfLeftByADeadProcess();

        CliRun next = get(FAILS_LATE, "-c");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("x.bin")))).isEqualTo(WdsGetTest.syntheticSha256(4 << 20, 2));
        assertThat(next.err()).contains("wdsget: note: continuing " + dir.resolve("x.bin") + ": 3.00 MiB of 4.00 MiB are on disk already");
        assertThat(next.record("done")).as("the bytes received this time").containsEntry("bytes", Long.toString(1 << 20));
        assertThat(log()).anySatisfy(e -> assertThat(e).startsWith(FAILS_LATE + ": -c: continuing ")
                        .endsWith(" (3145728 of 4194304 bytes on disk, in 1 range)"))
                .contains(FAILS_LATE + ": negotiation: asked for 1 range, 1048576 bytes: [3145728, 4194304)")
                .anySatisfy(e -> assertThat(e).startsWith(FAILS_LATE + ": received 1048576 bytes in ")
                        .contains(", 3145728 more were on disk already (continued)"));
        assertThat(files()).containsExactly("run.log", "x.bin");
    }

    /**
     * --sha256 of a continued file is that of the whole object: the bytes on disk before the run
     * count, with the blocks received now, in order or not (LiveHashTest has blocks that cover
     * kept bytes again).
     */
    @ParameterizedTest
    @ValueSource(strings = {"seq", "shuffle"})
    void aContinuedFileIsHashedWhole(String order) throws Exception {
        String object = "4MiB?seed=3&block=40KiB&order=" + order + "&fail=1236@3MiB";
        CliRun first = get(object, "-c", "--sha256");
        assertThat(first.exitCode()).as(first.err()).isEqualTo(1);
        asIfLeftByADeadProcess();

        CliRun next = get(object, "-c", "--sha256", "-q");
        assertThat(next.exitCode()).as(next.err()).isZero();
        String expected = WdsGetTest.syntheticSha256(4 << 20, 3);
        assertThat(next.out().strip()).isEqualTo(expected);
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("x.bin")))).isEqualTo(expected);
    }

    /** Without -c a failed run keeps nothing, and a run without -c removes what a killed one left. */
    @Test
    void withoutContinueNothingIsKeptOrContinued() throws Exception {
        CliRun first = get(FAILS_LATE);
        assertThat(first.exitCode()).isEqualTo(1);
        assertThat(first.errors().get(0)).endsWith("; the output was not written");
        assertThat(files()).containsExactly("run.log");

        get(FAILS_LATE, "-c");
        asIfLeftByADeadProcess();
        CliRun plain = get("64KiB");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(files()).as("the stale partial file and its record removed").containsExactly("run.log", "x.bin");
    }

    @Test
    void aPartialFileOfAnotherObjectStartsOver() throws Exception {
        get(FAILS_LATE, "-c");
        Path left = asIfLeftByADeadProcess();
        CliRun next = get("4MiB?seed=5", "-c");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.err()).contains("wdsget: note: cannot continue " + dir.resolve("x.bin") + ": " + left
                + ": it holds another object, 'server wds01, namespace synthetic, object " + FAILS_LATE + "'; starting over");
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("x.bin")))).isEqualTo(WdsGetTest.syntheticSha256(4 << 20, 5));
        assertThat(next.record("done")).containsEntry("bytes", Long.toString(4 << 20));
        assertThat(files()).as("the one that could not be continued is removed").containsExactly("run.log", "x.bin");
    }

    /** The same object name, now of another size (a file replaced on the server): started over, and said. */
    @Test
    void aPartialFileOfAnotherSizeStartsOver() throws Exception {
        Path root = dir.resolve("root");
        Path object = Files.createDirectories(root.resolve("images")).resolve("boot.wim");
        Files.write(object, new byte[2 << 20]);
        Path out = Files.createDirectory(dir.resolve("out"));
        String name = "boot.wim?fail=1236@1536KiB";
        CliRun first = CliRun.inProcess("get", "-s", root.toString(), "-n", "images", name, "-o", out + "/", "-c");
        assertThat(first.exitCode()).isEqualTo(1);
        long dead = StalePartsTest.deadPid();
        String mine = ".boot.wim.wdsget-" + ProcessHandle.current().pid() + ".part";
        Files.move(out.resolve(mine + ".ranges"), out.resolve(".boot.wim.wdsget-" + dead + ".part.ranges"));
        Files.move(out.resolve(mine), out.resolve(".boot.wim.wdsget-" + dead + ".part"));
        byte[] smaller = new byte[1 << 20];
        java.util.Arrays.fill(smaller, (byte) 'B');
        Files.write(object, smaller);

        CliRun next = CliRun.inProcess("get", "-s", root.toString(), "-n", "images", name, "-o", out + "/", "-c");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.err()).contains("wdsget: note: continuing ").containsPattern("wdsget: note: cannot continue \\S+"
                + "\\.boot\\.wim\\.wdsget-\\d+\\.part: its object had 2097152 bytes, this one has 1048576; starting over");
        assertThat(Files.readAllBytes(out.resolve("boot.wim"))).isEqualTo(smaller);
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("boot.wim");
        }
    }

    /** A record damaged (here cut short) is trusted for nothing: the object starts over, and it is said. */
    @Test
    void aDamagedRecordStartsOver() throws Exception {
        get(FAILS_LATE, "-c");
        Path left = asIfLeftByADeadProcess();
        Path ranges = left.resolveSibling(left.getFileName() + ".ranges");
        byte[] record = Files.readAllBytes(ranges);
        Files.write(ranges, java.util.Arrays.copyOf(record, record.length / 2));

        CliRun next = get(FAILS_LATE, "-c");
        assertThat(next.err()).contains("wdsget: note: cannot continue " + dir.resolve("x.bin") + ": " + left
                + ": its ranges file is damaged: ").contains("; starting over");
        // started over, the object fails at 3 MiB again, and keeps what it received this time
        assertThat(next.exitCode()).isEqualTo(1);
        assertThat(left).doesNotExist();
        assertThat(next.errors().get(0)).contains("3.00 MiB of 4.00 MiB stay in ");
        assertThat(log()).anySatisfy(e -> assertThat(e).startsWith(FAILS_LATE + ": -c: cannot continue "));
    }

    /**
     * A retry continues the partial file the failed attempt kept: 1 MiB failing after every
     * 320 KiB arrives in four attempts, each asking for the rest only.
     */
    @Test
    void eachRetryContinuesWhereTheLastStopped() throws Exception {
        String object = "1MiB?seed=3&fail=10054@320KiB";
        CliRun r = get(object, "--retries", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(WdsGetTest.sha256(Files.readAllBytes(dir.resolve("x.bin")))).isEqualTo(WdsGetTest.syntheticSha256(1 << 20, 3));
        assertThat(r.record("done")).containsEntry("attempts", "4").containsEntry("bytes", Long.toString(64 << 10));
        assertThat(log().stream().filter(e -> e.startsWith(object + ": retrying in ")))
                .extracting(e -> e.replaceFirst(".*\\(attempt (\\d) of 4\\), continuing \\S+ \\((\\d+) of .*", "$1 $2"))
                .containsExactly("2 327680", "3 655360", "4 983040");
        assertThat(log()).contains(object + ": negotiation: asked for 1 range, 65536 bytes: [983040, 1048576)");
        assertThat(files()).containsExactly("run.log", "x.bin");
    }

    /** More gaps than a negotiation takes: the closest are joined, and the log says how many bytes come again. */
    @Test
    void moreThanSixteenGapsAreJoinedAndLogged() throws Exception {
        String object = "8MiB?order=shuffle&seed=11&fail=10054@4MiB";
        CliRun r = get(object, "--retries", "1");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);   // the second attempt fails at 4 MiB too
        assertThat(log()).anySatisfy(e -> assertThat(e).startsWith(object + ": negotiation: asked for 16 ranges, ")
                .containsPattern("; \\d+ gaps joined into 16 ranges \\(at most 16 a negotiation\\), so \\d+ bytes on disk"
                        + " are received again$"));
        assertThat(files()).containsExactly("run.log");
    }
}
