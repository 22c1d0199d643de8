/**
 * The binding: a {@link io.github.wdstci.WdsClient} opens the transport client, a
 * {@link io.github.wdstci.TransferRequest} names the object, and a
 * {@link io.github.wdstci.Session} receives it into a handler.
 *
 * <ul>
 * <li>Requests: {@link io.github.wdstci.TransferRequest} (built with
 *     {@link io.github.wdstci.TransferRequest#newBuilder()}), {@link io.github.wdstci.AuthLevel},
 *     {@link io.github.wdstci.Protocol}.
 * <li>Sessions: {@link io.github.wdstci.WdsClient}, {@link io.github.wdstci.Session},
 *     {@link io.github.wdstci.SessionStatus}, {@link io.github.wdstci.StartInfo},
 *     {@link io.github.wdstci.TransportLibrary}.
 * <li>Handlers: {@link io.github.wdstci.ContentHandler} (each block during the call),
 *     {@link io.github.wdstci.AsyncContentHandler} with {@link io.github.wdstci.Block} (blocks
 *     kept until released), their common {@link io.github.wdstci.SessionListener},
 *     {@link io.github.wdstci.Negotiation}, the ready-made
 *     {@link io.github.wdstci.ContentHandlers} and {@link io.github.wdstci.ProgressListener}.
 * <li>Errors: {@link io.github.wdstci.WdsTransportException} with its
 *     {@link io.github.wdstci.Win32Error}.
 * </ul>
 *
 * <p>The <a href="{@docRoot}/index.html">overview</a> describes which thread runs what,
 * how cancellation works and how long segments and blocks stay valid.
 */
package io.github.wdstci;
