package io.github.wdstci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository the tests run in (the docs), found upwards from the working directory. */
final class Repository {

    private Repository() {
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
