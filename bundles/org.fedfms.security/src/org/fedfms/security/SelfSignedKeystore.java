package org.fedfms.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator's trial certificate: generated at first start with the JDK's {@code keytool} into
 * {@code coordinator.p12} (password in {@code coordinator.password}, owner-only), reused afterwards. Its
 * SHA-256 fingerprint, which site agents pin, is written to {@code coordinator.fingerprint}.
 */
public final class SelfSignedKeystore {

    /** File names in the TLS directory. */
    public static final String KEYSTORE = "coordinator.p12";
    public static final String PASSWORD = "coordinator.password";
    public static final String FINGERPRINT = "coordinator.fingerprint";
    private static final String ALIAS = "fedfms-coordinator";

    private SelfSignedKeystore() {
    }

    /** Creates the keystore in {@code dir} unless it exists; returns its password. */
    public static String ensure(Path dir, String host) throws IOException {
        Path store = dir.resolve(KEYSTORE);
        Path passwordFile = dir.resolve(PASSWORD);
        if (Files.exists(store) && Files.exists(passwordFile)) {
            return Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
        }
        OwnerOnlyFiles.directory(dir);
        String password = RandomSecrets.hex(18);
        Path tmp = Files.createTempFile(dir, "coordinator", ".p12.tmp");
        Files.delete(tmp);
        List<String> san = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("localhost")
                && !host.equals("127.0.0.1")) {
            san.add((host.chars().allMatch(c -> Character.isDigit(c) || c == '.') ? "ip:" : "dns:") + host);
        }
        Keytool.run(password, "keytool could not generate the coordinator certificate in " + dir, "-genkeypair",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity",
                "825", "-dname", "CN=FedFMS coordinator (self-signed)", "-ext", "SAN=" + String.join(",", san),
                "-storetype", "PKCS12", "-keystore", tmp.toString(), "-storepass:env", Keytool.PASSWORD_VARIABLE,
                "-keypass:env", Keytool.PASSWORD_VARIABLE);
        OwnerOnlyFiles.restrictFile(tmp);
        OwnerOnlyFiles.write(passwordFile, password);
        Files.move(tmp, store, StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    /** The SHA-256 fingerprint (hex, lower case) of the keystore's first certificate. */
    public static String fingerprint(Path store, String password, String type) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password.toCharArray());
            return CertificateFingerprints.sha256(ks.getCertificate(ks.aliases().nextElement()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificate in " + store + ": " + e.getMessage(), e);
        }
    }
}
