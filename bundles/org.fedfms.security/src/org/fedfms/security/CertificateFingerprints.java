package org.fedfms.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 fingerprints of certificates, as pinned in configuration files: lower-case hex, no separators. */
public final class CertificateFingerprints {

    private CertificateFingerprints() {
    }

    /** SHA-256 of the certificate's DER encoding. */
    public static String sha256(Certificate c) throws CertificateEncodingException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A configured fingerprint in the form {@link #sha256} gives: colons and blanks dropped, lower case. */
    public static String normalise(String text) {
        return String.valueOf(text).replace(":", "").replaceAll("\\s", "").toLowerCase(Locale.ROOT);
    }
}
