package org.fedfms.security;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS for a client of the coordinator (site agent, admin client): trust in either the coordinator's certificate
 * pinned by its SHA-256 fingerprint (self-signed trial certificates) or a truststore (certificates from a CA, with
 * host name checks); and, for mutual TLS, the client's own certificate from a keystore.
 */
public final class PinnedTrust {

    private PinnedTrust() {
    }

    /** An SSL context that trusts exactly the certificate with this SHA-256 fingerprint (hex). */
    public static SSLContext fingerprint(String sha256Hex) throws GeneralSecurityException {
        return fingerprint(sha256Hex, null);
    }

    /**
     * An SSL context that trusts exactly the certificate with this SHA-256 fingerprint (hex) and presents the
     * client certificate of {@code keyManagers} (mutual TLS; {@code null}: none).
     */
    public static SSLContext fingerprint(String sha256Hex, KeyManager[] keyManagers) throws GeneralSecurityException {
        String pin = CertificateFingerprints.normalise(sha256Hex);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers, new TrustManager[] {new Pin(pin)}, new SecureRandom());
        return ctx;
    }

    /** An SSL context that trusts the certificates of a truststore. */
    public static SSLContext truststore(Path file, String password) throws GeneralSecurityException, IOException {
        return truststore(file, password, null);
    }

    /** An SSL context that trusts the certificates of a truststore and presents {@code keyManagers}' certificate. */
    public static SSLContext truststore(Path file, String password, KeyManager[] keyManagers)
            throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password == null ? null : password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** The key managers of a keystore holding this site's private key and certificate (for mutual TLS). */
    public static KeyManager[] keystore(Path file, String password, String type)
            throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(type == null ? "PKCS12" : type);
        char[] secret = password == null ? null : password.toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, secret);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, secret);
        return kmf.getKeyManagers();
    }

    private static final class Pin extends X509ExtendedTrustManager {
        private final String pin;

        Pin(String pin) {
            this.pin = pin;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the coordinator sent no certificate");
            }
            String got = CertificateFingerprints.sha256(chain[0]);
            if (!got.equals(pin)) {
                throw new CertificateException("the coordinator's certificate has SHA-256 fingerprint " + got
                        + ", not the pinned " + pin + " (tls.fingerprint)");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a site agent accepts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a site agent accepts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a site agent accepts no clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
