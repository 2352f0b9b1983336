package org.fedfms.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    private static final String PASSWORD_VARIABLE = "FEDFMS_KEYSTORE_PASSWORD";

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
        byte[] raw = new byte[18];
        new SecureRandom().nextBytes(raw);
        String password = HexFormat.of().formatHex(raw);
        Path tmp = Files.createTempFile(dir, "coordinator", ".p12.tmp");
        Files.delete(tmp);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> san = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("localhost")
                && !host.equals("127.0.0.1")) {
            san.add((host.chars().allMatch(c -> Character.isDigit(c) || c == '.') ? "ip:" : "dns:") + host);
        }
        List<String> cmd = List.of(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-validity", "825", "-dname", "CN=FedFMS coordinator (self-signed)",
                "-ext", "SAN=" + String.join(",", san), "-storetype", "PKCS12", "-keystore", tmp.toString(),
                "-storepass:env", PASSWORD_VARIABLE, "-keypass:env", PASSWORD_VARIABLE);
        // the password goes through the child's environment (owner-only), never its command line
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        Process p = builder.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool could not generate the coordinator certificate in " + dir + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the coordinator certificate", e);
        }
        OwnerOnlyFiles.restrictFile(tmp);
        writeOwnerOnly(passwordFile, password);
        Files.move(tmp, store, StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    /** The SHA-256 fingerprint (hex, lower case) of the keystore's first certificate. */
    public static String fingerprint(Path store, String password, String type) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password.toCharArray());
            String alias = ks.aliases().nextElement();
            Certificate c = ks.getCertificate(alias);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificate in " + store + ": " + e.getMessage(), e);
        }
    }

    static void writeOwnerOnly(Path file, String text) throws IOException {
        OwnerOnlyFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
