/**
 * Java binding of the Windows Deployment Services Transport Client API
 * (wdstci.h, WDSTPTC.dll). Start with {@link io.github.wdstci.WdsClient}.
 */
module io.github.wdstci {
    requires jdk.jfr;

    exports io.github.wdstci;
}
