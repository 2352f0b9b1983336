package org.fedfms.secagg;

/** Shares of one site's self-mask seed and masking key, sealed with AES-GCM for one other site. */
public record SealedShare(String from, String to, byte[] ciphertext) {
}
