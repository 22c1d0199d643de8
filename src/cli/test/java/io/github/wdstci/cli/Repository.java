package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files of the repository the tests run in (the docs), found upwards from the working directory. */
final class Repository {

    private Repository() {
    }

    /**
     * Every match in {@code group} of {@code item} within the first match of {@code part} (its
     * group 1) in the repository's file {@code relative}; the part must be there.
     */
    static List<String> find(String relative, String part, String item, int group) throws IOException {
        Matcher m = Pattern.compile(part).matcher(Files.readString(file(relative)));
        assertThat(m.find()).as("%s has %s", relative, part).isTrue();
        List<String> items = new ArrayList<>();
        Matcher i = Pattern.compile(item).matcher(m.group(1));
        while (i.find()) {
            items.add(i.group(group));
        }
        return items;
    }

    /** The file at {@code relative} from the repository's top (the directory that holds {@code docs/wdsget.md}). */
    static Path file(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docs/wdsget.md"))) {
                Path p = d.resolve(relative);
                assertThat(p).isRegularFile();
                return p;
            }
        }
        throw new AssertionError("no docs/wdsget.md above " + Path.of("").toAbsolutePath());
    }
}
