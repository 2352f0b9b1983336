/**
 * The FedFMS wire format: a streaming binary codec for {@link org.fedfms.api.ParameterSet} messages
 * (header, tensor directory, little-endian fp32/fp16/bf16 payload, CRC32C), with hard limits that the
 * decoder enforces before it allocates.
 */
package org.fedfms.wire;
