package org.fedfms.secagg;

/**
 * Round 0 of secure aggregation: a site's two fresh X25519 public keys, one to seal shares for it, one to agree
 * pairwise masks with it (32 bytes each, RFC 7748 encoding).
 */
public record KeyAdvertisement(String site, byte[] encryptionKey, byte[] maskingKey) {
}
