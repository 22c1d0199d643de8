package io.github.wdstci;

/**
 * What the server says when the session starts.
 *
 * @param fileSize  the object's size in bytes
 * @param blockSize the receive block size in bytes, or 0 when the library
 *                  reports only the size (a DLL without SessionStartEx)
 */
public record StartInfo(long fileSize, int blockSize) {
}
