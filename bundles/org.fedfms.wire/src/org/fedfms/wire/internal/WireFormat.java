package org.fedfms.wire.internal;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the wire format, version 1. All numbers are little-endian.
 *
 * <pre>
 * magic "FFMS" | version u16 | flags u16 (0) | kind u8
 * experiment id str | round i32 | site id str | sample count i64
 * metric count u16, each: name str, value f64
 * tensor count u32, each: name str, dtype u8, rank u8, dims u32 x rank
 * payload: each tensor's values in directory order, in its dtype
 * CRC32C u32 over every byte before it
 * </pre>
 *
 * where {@code str} is a u16 byte length followed by UTF-8.
 */
public final class WireFormat {

    public static final byte[] MAGIC = "FFMS".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int CHECKSUM_BYTES = 4;

    private WireFormat() {
    }
}
