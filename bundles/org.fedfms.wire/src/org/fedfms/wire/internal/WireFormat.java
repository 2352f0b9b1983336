package org.fedfms.wire.internal;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the wire format, version 1. All numbers are little-endian.
 *
 * <pre>
 * magic "FFMS" | version u16 | flags u16 (0) | kind u8
 * experiment id str | round i32 | site id str | sample count i64
 * metric count u16, each: name str, value f64
 * tensor count u32, each: name str, dtype u8 [block size u32] [kept count u32], rank u8, dims u32 x rank
 * payload: each tensor's values in directory order, in its dtype
 * </pre>
 *
 * The dtype byte's low 7 bits are a float dtype (0 fp32, 1 fp16, 2 bf16) or a blockwise quantization
 * (3 int8, 4 nf4, 5 fp4; then a block size follows); its high bit marks a top-k tensor (then the count of
 * values kept follows). A quantized tensor's payload is its scales (fp32, one per block: the tensor's
 * own header) followed by its codes (int8 one byte each, 4-bit two per byte, low nibble first). A top-k
 * tensor's payload starts with the kept indices (u32, strictly ascending), then the kept values coded
 * as above; every other value is received as 0.
 * <pre>
 * CRC32C u32 over every byte before it
 * </pre>
 *
 * where {@code str} is a u16 byte length followed by UTF-8.
 */
public final class WireFormat {

    public static final byte[] MAGIC = "FFMS".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int CHECKSUM_BYTES = 4;
    /** The bit of a tensor's dtype byte that marks a top-k (indices + values) tensor. */
    public static final int SPARSE_BIT = 0x80;

    private WireFormat() {
    }
}
