package io.github.wdstci;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The ranges file beside a resumable part file: {@code PART.ranges} (for
 * {@code .NAME.TAG-PID.part}, {@code .NAME.TAG-PID.part.ranges}), which says
 * which bytes of which object the part file holds. UTF-8 text, one field a
 * line:
 *
 * <pre>
 * wdstci-ranges 1
 * target boot.wim
 * object wds://wds01/images/boot.wim
 * size 3145728000
 * received 0 1048576
 * received 2097152 3145728000
 * crc32c 0c1f2e3d
 * </pre>
 *
 * {@code target} is the target's file name, {@code object} what the sink
 * was told the object is (both with {@code \\}, {@code \n} and {@code \r}
 * escaped), {@code received} a range {@code [start, end)} on disk, in
 * ascending order, and {@code crc32c} the CRC-32C of every byte before that
 * line, so that a damaged file is told from a good one. At most
 * {@value #MAX_RANGES} ranges are written, the longest; the bytes of the
 * others are received again.
 *
 * <p>It is replaced whole, never edited: written as {@code PART.ranges.new},
 * forced, and renamed over the old one, so that a crash leaves the old or the
 * new file. Its writer forces the part file before it writes the ranges it
 * lists (see {@code PartFile}): a range listed is on disk.
 */
final class RangesFile {

    /** The most ranges a ranges file lists. */
    static final int MAX_RANGES = 1024;

    private static final String MAGIC = "wdstci-ranges 1";

    private RangesFile() {
    }

    /** What a ranges file says. */
    record Contents(String target, String object, long size, List<Resumable.Range> received) {
    }

    /** The ranges file of {@code part}. */
    static Path of(Path part) {
        return part.resolveSibling(part.getFileName() + ".ranges");
    }

    /** Replaces {@code file} with one saying {@code c}, durably (see the class documentation). */
    static void write(Path file, Contents c) throws IOException {
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        b.append("target ").append(escape(c.target())).append('\n');
        b.append("object ").append(escape(c.object())).append('\n');
        b.append("size ").append(c.size()).append('\n');
        for (Resumable.Range r : RangeSet.largest(c.received(), MAX_RANGES)) {
            b.append("received ").append(r.start()).append(' ').append(r.end()).append('\n');
        }
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] tail = ("crc32c " + HexFormat.of().toHexDigits((int) crc.getValue()) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Path next = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.allocate(body.length + tail.length).put(body).put(tail).flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Reads a ranges file.
     *
     * @throws IOException saying what is wrong with it when it cannot be trusted (damaged,
     *                     cut short, another format), or when it cannot be read
     */
    static Contents read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(all)).toString();
        } catch (CharacterCodingException e) {
            throw damaged("it is not UTF-8 text");
        }
        int last = text.lastIndexOf("crc32c ");
        if (!text.startsWith(MAGIC + "\n") || last < 0 || !text.endsWith("\n")) {
            throw damaged("it is not a complete ranges file");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, text.substring(0, last).getBytes(StandardCharsets.UTF_8).length);
        if (!text.substring(last).equals("crc32c " + HexFormat.of().toHexDigits((int) crc.getValue()) + "\n")) {
            throw damaged("its checksum does not match its contents");
        }
        List<String> lines = text.substring(0, last).lines().toList();
        try {
            String target = unescape(field(lines, 1, "target"));
            String object = unescape(field(lines, 2, "object"));
            long size = Long.parseLong(field(lines, 3, "size"));
            List<Resumable.Range> received = new ArrayList<>();
            for (int i = 4; i < lines.size(); i++) {
                String[] r = field(lines, i, "received").split(" ", -1);
                if (r.length != 2) {
                    throw new IllegalArgumentException("line " + (i + 1) + " is not 'received START END'");
                }
                received.add(new Resumable.Range(Long.parseLong(r[0]), Long.parseLong(r[1])));
            }
            new Resumable(file, object, size, received);                 // checks the ranges
            return new Contents(target, object, size, received);
        } catch (IllegalArgumentException e) {
            throw damaged(e.getMessage());
        }
    }

    private static String field(List<String> lines, int i, String name) {
        if (i >= lines.size() || !lines.get(i).startsWith(name + " ")) {
            throw new IllegalArgumentException("line " + (i + 1) + " is not '" + name + " ...'");
        }
        return lines.get(i).substring(name.length() + 1);
    }

    private static IOException damaged(String why) {
        return new IOException("its ranges file is damaged: " + why);
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = ++i < s.length() ? s.charAt(i) : ' ';
            switch (e) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                default -> throw new IllegalArgumentException("a '\\" + e + "' is no escape");
            }
        }
        return b.toString();
    }
}
