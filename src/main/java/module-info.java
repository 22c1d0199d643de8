/**
 * Java binding of the Windows Deployment Services Transport Client API
 * (wdstci.h, WDSTPTC.dll). Start with {@link io.github.wdstci.WdsClient}.
 *
 * <p>The {@code io.github.wdstci.cli} package is the wdsget command-line tool;
 * it is not exported, and its libraries (picocli, progressbar) are optional:
 * the library itself needs nothing beyond the JDK.
 */
module io.github.wdstci {
    requires jdk.jfr;
    requires static info.picocli;
    requires static me.tongfei.progressbar;

    exports io.github.wdstci;

    opens io.github.wdstci.cli to info.picocli;
}
