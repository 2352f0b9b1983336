package org.fedfms.admin.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.fedfms.security.Keytool;
import org.fedfms.security.OwnerOnlyFiles;
import org.fedfms.security.RandomSecrets;
import org.fedfms.security.SelfSignedKeystore;
import org.fedfms.security.TokenHash;

/**
 * {@code fedfms provision}: writes a deployment's configuration into an empty directory, NVFlare-style, so that
 * each party starts from its file as it is: {@code coordinator.properties} (the token hashes, its TLS key pair
 * in {@value #TLS_DIR}/), {@code site-<id>.properties} for each site (its token, the coordinator's address and
 * certificate fingerprint; under {@code --mtls} its own key pair, which the coordinator's truststore trusts)
 * and {@code admin.properties} (the admin token). Every file is owner-only.
 */
final class Provisioner {

    static final String TLS_DIR = "coordinator-tls";
    static final String TRUSTSTORE = "sites-truststore.p12";
    private static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** What was asked for. */
    record Request(List<String> sites, String host, int port, boolean mtls, Path out) {
    }

    /** Parses {@code --sites a,b [--host H] [--port P] [--mtls] --out DIR}; a usage error says what is wrong. */
    static Request parse(List<String> args) {
        List<String> sites = null;
        String host = "localhost";
        int port = 8443;
        boolean mtls = false;
        Path out = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--mtls" -> mtls = true;
                case "--sites", "--host", "--port", "--out" -> {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(a + " needs a value");
                    }
                    String v = args.get(++i);
                    switch (a) {
                        case "--sites" -> sites = siteIds(v);
                        case "--host" -> host = v.strip();
                        case "--port" -> port = port(v);
                        default -> out = Path.of(v);
                    }
                }
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        if (sites == null) {
            throw new UsageException("--sites is required: the site ids, e.g. --sites hospital-a,hospital-b");
        }
        if (out == null) {
            throw new UsageException("--out is required: the directory to write the configuration files into");
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
            throw new UsageException("--host '" + host + "' is not a host name or address");
        }
        return new Request(sites, host, port, mtls, out.toAbsolutePath().normalize());
    }

    private static List<String> siteIds(String text) {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String s : text.split(",")) {
            String id = s.strip();
            if (!SITE_ID.matcher(id).matches()) {
                throw new UsageException("--sites: '" + id + "' is not a site id (letters, digits, '.', '_' and "
                        + "'-', starting with a letter or digit)");
            }
            if (!ids.add(id)) {
                throw new UsageException("--sites: '" + id + "' is given twice");
            }
        }
        return List.copyOf(ids);
    }

    private static int port(String text) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("--port '" + text + "' is not a port number (1-65535)");
    }

    /** Writes the files; returns what it wrote, for the operator. Refuses a directory that is not empty. */
    List<String> provision(Request r) throws IOException {
        if (Files.isDirectory(r.out())) {
            try (var entries = Files.list(r.out())) {
                if (entries.findAny().isPresent()) {
                    throw new UsageException("--out " + r.out() + " is not empty: provision into a new directory "
                            + "(nothing was written)");
                }
            }
        }
        Path parent = r.out().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + r.out().getFileName() + ".provisioning-");
        try {
            List<String> wrote = provisionInto(staging, r);
            Files.deleteIfExists(r.out());
            Files.move(staging, r.out(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return wrote;
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a staging directory (hidden) may be left
        }
    }

    /** Writes every file into {@code out} (the staging directory); the lines name them under the final one. */
    private List<String> provisionInto(Path out, Request r) throws IOException {
        String listen = loopback(r.host()) ? "127.0.0.1" : "0.0.0.0";
        Path tls = out.resolve(TLS_DIR);
        String password = SelfSignedKeystore.ensure(tls, r.host());
        String fingerprint = SelfSignedKeystore.fingerprint(tls.resolve(SelfSignedKeystore.KEYSTORE), password,
                "PKCS12");
        OwnerOnlyFiles.write(tls.resolve(SelfSignedKeystore.FINGERPRINT), fingerprint + "\n");
        String url = "https://" + (r.host().contains(":") && !r.host().startsWith("[") ? "[" + r.host() + "]"
                : r.host()) + ":" + r.port() + "/";

        String adminToken = token();
        List<String> coordinator = new ArrayList<>(List.of(
                "# FedFMS coordinator, written by fedfms provision: fedfms coordinator --config coordinator.properties",
                "# Relative paths are resolved against this file's directory.",
                "host=" + listen, "port=" + r.port(), "tls=self-signed", "tls.dir=" + TLS_DIR,
                "# the SHA-256 fingerprint of its certificate, which the sites and the admin pin: " + fingerprint,
                "admin.token=" + TokenHash.of(adminToken).text(),
                "sites=" + String.join(",", r.sites()), "provider.id=remote"));
        String truststorePassword = r.mtls() ? token() : null;
        List<String> wrote = new ArrayList<>();
        for (int i = 0; i < r.sites().size(); i++) {
            String site = r.sites().get(i);
            String siteToken = token();
            coordinator.add("site." + site + ".token=" + TokenHash.of(siteToken).text());
            List<String> lines = new ArrayList<>(List.of(
                    "# FedFMS site agent " + site + ", written by fedfms provision: fedfms site --config site-" + site
                            + ".properties",
                    "coordinator=" + url, "tls.fingerprint=" + fingerprint, "site.id=" + site,
                    "site.token=" + siteToken));
            if (r.mtls()) {
                String keystorePassword = token();
                keyPair(out, site, "site-" + site + ".p12", keystorePassword, truststorePassword);
                lines.add("tls.keystore=site-" + site + ".p12");
                lines.add("tls.keystore.password=" + keystorePassword);
            }
            lines.addAll(List.of(
                    "# The local data: the synthetic sites until you name your loader and its settings, e.g.",
                    "# dataset=nnunet, dataset.root=/data/Dataset001_Prostate, dataset.site=" + site,
                    "dataset=synthetic", "dataset.sites=" + r.sites().size(), "dataset.site=site-" + (i + 1)));
            Path file = out.resolve("site-" + site + ".properties");
            OwnerOnlyFiles.write(file, String.join("\n", lines) + "\n");
            wrote.add(r.out().resolve(file.getFileName()) + "  (for site " + site + ")");
        }
        if (r.mtls()) {
            coordinator.add("tls.clientTruststore=" + TRUSTSTORE);
            coordinator.add("tls.clientTruststore.password=" + truststorePassword);
        }
        Path coordinatorFile = out.resolve("coordinator.properties");
        OwnerOnlyFiles.write(coordinatorFile, String.join("\n", coordinator) + "\n");
        wrote.add(0, r.out().resolve(coordinatorFile.getFileName()) + "  (for the coordinator, with " + TLS_DIR + "/"
                + (r.mtls() ? " and " + TRUSTSTORE : "") + ")");
        Path adminFile = out.resolve("admin.properties");
        List<String> admin = new ArrayList<>(List.of(
                "# FedFMS admin client, written by fedfms provision: fedfms admin --config admin.properties COMMAND",
                "coordinator=" + url, "tls.fingerprint=" + fingerprint, "admin.token=" + adminToken));
        if (r.mtls()) {
            String keystorePassword = token();
            keyPair(out, "admin", "admin.p12", keystorePassword, truststorePassword);
            admin.add("tls.keystore=admin.p12");
            admin.add("tls.keystore.password=" + keystorePassword);
        }
        OwnerOnlyFiles.write(adminFile, String.join("\n", admin) + "\n");
        wrote.add(r.out().resolve(adminFile.getFileName()) + "  (for the operator)");
        wrote.add("coordinator certificate SHA-256 fingerprint: " + fingerprint);
        return wrote;
    }

    /**
     * A client key pair ({@code CN=<site>}, which the coordinator binds to the site; {@code admin} for the
     * operator) in {@code fileName}, its certificate added to the coordinator's truststore.
     */
    private static void keyPair(Path out, String site, String fileName, String password, String truststorePassword)
            throws IOException {
        Path store = out.resolve(fileName);
        Path cert = out.resolve(site + ".cer");
        String env = Keytool.PASSWORD_VARIABLE;
        Keytool.run(password, "keytool -genkeypair failed", "-genkeypair", "-alias", site, "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "825", "-dname", "CN=" + site,
                "-ext", "SAN=dns:" + site, "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass:env", env,
                "-keypass:env", env);
        Keytool.run(password, "keytool -exportcert failed", "-exportcert", "-alias", site, "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass:env", env, "-file", cert.toString());
        Keytool.run(truststorePassword, "keytool -importcert failed", "-importcert", "-noprompt", "-alias", site,
                "-file", cert.toString(), "-storetype", "PKCS12", "-keystore", out.resolve(TRUSTSTORE).toString(),
                "-storepass:env", env);
        Files.delete(cert);
        OwnerOnlyFiles.restrictFile(store);
        OwnerOnlyFiles.restrictFile(out.resolve(TRUSTSTORE));
    }

    private static String token() {
        return RandomSecrets.hex(24);
    }

    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }
}
