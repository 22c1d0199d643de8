/**
 * Java binding of the Windows Deployment Services Transport Client API
 * (wdstci.h, WDSTPTC.dll). Start with {@link io.github.wdstci.WdsClient}.
 *
 * <p>The library needs nothing beyond the JDK. Its generated stubs and plumbing
 * ({@code io.github.wdstci.internal...}) are not exported.
 */
module io.github.wdstci {
    requires jdk.jfr;

    exports io.github.wdstci;
    exports io.github.wdstci.standin;
}
