package org.fedfms.server.internal;

import java.net.URI;
import java.nio.file.Path;

import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.fedfms.security.OwnerOnlyFiles;
import org.fedfms.security.SelfSignedKeystore;

/**
 * The coordinator's Jetty server: thread pool, plain or TLS connector (self-signed, generated on first start, or a
 * configured keystore; mutual TLS with a client truststore), one handler.
 */
final class CoordinatorServer {

    private static final System.Logger LOG = System.getLogger(CoordinatorServer.class.getName());

    private final CoordinatorConfig config;
    private Server server;
    private ServerConnector connector;
    private String fingerprint;

    CoordinatorServer(CoordinatorConfig config) {
        this.config = config;
    }

    /** Starts listening with {@code handler}; generates the self-signed certificate first if it is missing. */
    void start(Handler handler) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("fedfms-coordinator");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        if (config.tls() == CoordinatorConfig.Tls.OFF) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new SslConnectionFactory(ssl(), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
            http.addCustomizer(new SecureRequestCustomizer(false));
        }
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    private SslContextFactory.Server ssl() throws Exception {
        Path store;
        String password;
        String type;
        if (config.tls() == CoordinatorConfig.Tls.SELF_SIGNED) {
            password = SelfSignedKeystore.ensure(config.tlsDirectory(), config.host());
            store = config.tlsDirectory().resolve(SelfSignedKeystore.KEYSTORE);
            type = "PKCS12";
        } else {
            store = config.keystore();
            password = config.keystorePassword();
            type = config.keystoreType();
        }
        fingerprint = SelfSignedKeystore.fingerprint(store, password, type);
        if (config.tls() == CoordinatorConfig.Tls.SELF_SIGNED) {
            OwnerOnlyFiles.write(config.tlsDirectory().resolve(SelfSignedKeystore.FINGERPRINT), fingerprint + "\n");
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(store.toString());
        ssl.setKeyStorePassword(password);
        ssl.setKeyStoreType(type);
        if (config.clientTruststore() != null) {
            ssl.setTrustStorePath(config.clientTruststore().toString());
            ssl.setTrustStorePassword(config.clientTruststorePassword());
            ssl.setTrustStoreType(config.clientTruststoreType());
            ssl.setNeedClientAuth(true);
        }
        return ssl;
    }

    void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "stopping the coordinator's HTTP server failed", e);
            }
        }
    }

    /** The port listened on. */
    int port() {
        return connector.getLocalPort();
    }

    /** The base address, e.g. {@code https://127.0.0.1:8443/}. */
    URI uri() {
        String scheme = config.tls() == CoordinatorConfig.Tls.OFF ? "http" : "https";
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /** SHA-256 fingerprint of the server certificate (hex), or {@code null} without TLS. */
    String fingerprint() {
        return fingerprint;
    }
}
