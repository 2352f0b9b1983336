package org.fedfms.server.internal;

import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.fedfms.security.CertificateFingerprints;

/**
 * Under mutual TLS, which client certificate may act as which site: the one pinned for it by SHA-256 fingerprint
 * ({@code site.<id>.certificateSha256}), or else one whose subject CN or one of whose subjectAltName DNS names
 * equals the site id (exactly). A certificate the truststore accepted is thereby bound to one site.
 */
final class SiteCertificates {

    private static final int DNS_NAME = 2;

    private final Map<String, String> pinned;

    /** @param pinned lower-case hex SHA-256 fingerprint of the DER certificate, by site id */
    SiteCertificates(Map<String, String> pinned) {
        this.pinned = Map.copyOf(pinned);
    }

    /**
     * Why the leaf of {@code chain} may not act as {@code siteId}, or {@code null} when it may.
     *
     * @param chain the peer's certificates, its own first; {@code null} or empty when none was presented
     */
    String refusal(String siteId, X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return "no client certificate on this connection, but mutual TLS is on: site '" + siteId
                    + "' must present its own certificate";
        }
        X509Certificate leaf = chain[0];
        String pin = pinned.get(siteId);
        if (pin != null) {
            return pin.equals(fingerprint(leaf)) ? null : "the client certificate " + describe(leaf)
                    + " may not act as site '" + siteId + "': site." + siteId + ".certificateSha256 pins the"
                    + " certificate with SHA-256 " + pin;
        }
        if (namesOf(leaf).contains(siteId)) {
            return null;
        }
        return "the client certificate " + describe(leaf) + " may not act as site '" + siteId + "': it needs a"
                + " certificate with CN=" + siteId + " or subjectAltName DNS:" + siteId + " (or one pinned by site."
                + siteId + ".certificateSha256)";
    }

    /**
     * The certificates the client presented on the request's connection, its own first; {@code null} when the
     * connection is not TLS or the client presented none.
     */
    static X509Certificate[] peerCertificates(Request request) {
        EndPoint.SslSessionData ssl = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
                instanceof EndPoint.SslSessionData d ? d
                        : request.getConnectionMetaData().getConnection().getEndPoint().getSslSessionData();
        return ssl == null ? null : ssl.peerCertificates();
    }

    /** Subject and SHA-256 fingerprint, for messages. */
    static String describe(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "' (SHA-256 " + fingerprint(c)
                + ")";
    }

    /** SHA-256 of the DER encoding, lower-case hex without separators. */
    static String fingerprint(X509Certificate c) {
        try {
            return CertificateFingerprints.sha256(c);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the client certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Normalises a configured fingerprint: colons and blanks dropped, lower case; 64 hex digits required.
     *
     * @throws IllegalArgumentException naming {@code key} when it is not a SHA-256 fingerprint
     */
    static String parseFingerprint(String text, String key) {
        String hex = CertificateFingerprints.normalise(text);
        if (hex.length() != 64 || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw new IllegalArgumentException("'" + key + "' must be the SHA-256 fingerprint of the site's"
                    + " certificate, 64 hex digits (colons allowed), got '" + text + "'");
        }
        return hex;
    }

    /** The most specific subject CN and the subjectAltName DNS names. */
    private static List<String> namesOf(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            List<Rdn> rdns = new LdapName(c.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns();
            // LdapName lists the RDNs from the least specific; the CN that names the subject is the last one
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdns.get(i).getValue()));
                    break;
                }
            }
        } catch (InvalidNameException unreadable) {
            // no CN to match
        }
        try {
            Collection<List<?>> alt = c.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    if (entry.size() >= 2 && entry.get(0) instanceof Integer type && type == DNS_NAME) {
                        names.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException unreadable) {
            // no DNS names to match
        }
        return names;
    }
}
