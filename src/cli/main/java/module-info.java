/**
 * wdsget, the command-line tool built on the wdstci library: compiled as a
 * module so that it can only use the library's exported API; packaged as an
 * executable class-path jar.
 */
module io.github.wdstci.cli {
    requires io.github.wdstci;
    requires info.picocli;
    requires org.jline.terminal;

    opens io.github.wdstci.cli to info.picocli;
}
