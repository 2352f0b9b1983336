package org.fedfms.ui.internal.services;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.strategy.AggregationStrategy;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The bundles a p2 repository folder offers (such as the update site {@code releng/org.fedfms.updatesite}
 * builds), read from the jars in its {@code plugins/} folder: name, version and the FedFMS services their
 * Declarative Services components provide.
 */
public final class UpdateSiteBundles {

    /** A FedFMS extension interface a component can provide, with a short name for the UI. */
    public enum Provides {
        STRATEGY(AggregationStrategy.class),
        LOADER(DatasetLoader.class);

        private final Class<?> service;

        Provides(Class<?> service) {
            this.service = service;
        }

        /** The service interface's name. */
        public String interfaceName() {
            return service.getName();
        }

        /** Short name: strategy, loader. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One bundle in the repository.
     *
     * @param symbolicName Bundle-SymbolicName without directives
     * @param version Bundle-Version
     * @param name Bundle-Name, or the symbolic name
     * @param provides the FedFMS services its components provide
     * @param fragment whether it is a fragment (installed, never started)
     * @param jar the bundle jar
     */
    public record Offered(String symbolicName, String version, String name, List<Provides> provides,
            boolean fragment, Path jar) {

        public Offered {
            provides = List.copyOf(provides);
        }

        /** Whether it brings a strategy or a loader. */
        public boolean extension() {
            return !provides.isEmpty();
        }
    }

    private UpdateSiteBundles() {
    }

    /**
     * Reads the bundles of a p2 repository folder.
     *
     * @param repository the folder holding {@code plugins/} (and {@code artifacts.jar}, {@code content.jar})
     * @return the bundles, sorted by symbolic name then version
     * @throws IOException if the folder has no {@code plugins/} folder or a jar cannot be read; the message
     *         names the file
     */
    public static List<Offered> read(Path repository) throws IOException {
        Path plugins = repository.resolve("plugins");
        if (!Files.isDirectory(plugins)) {
            throw new IOException(repository + " is not a p2 repository folder: it has no plugins/ folder"
                    + " (build one with ./mvnw verify; it lands in releng/org.fedfms.updatesite/target/repository)");
        }
        List<Offered> offered = new ArrayList<>();
        try (Stream<Path> jars = Files.list(plugins)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                Offered o = readJar(jar);
                if (o != null) {
                    offered.add(o);
                }
            }
        }
        offered.sort(Comparator.comparing(Offered::symbolicName).thenComparing(Offered::version));
        return offered;
    }

    /** Reads one bundle jar; null if the jar is not a bundle. */
    public static Offered readJar(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            Attributes a = manifest == null ? null : manifest.getMainAttributes();
            String bsn = a == null ? null : a.getValue("Bundle-SymbolicName");
            if (bsn == null) {
                return null;
            }
            bsn = bsn.split(";")[0].trim();
            String version = a.getValue("Bundle-Version") == null ? "0.0.0" : a.getValue("Bundle-Version").trim();
            String name = a.getValue("Bundle-Name") == null ? bsn : a.getValue("Bundle-Name").trim();
            TreeSet<Provides> provides = new TreeSet<>();
            String components = a.getValue("Service-Component");
            if (components != null) {
                for (JarEntry entry : file.stream().toList()) {
                    if (matchesComponentHeader(entry.getName(), components)) {
                        provides.addAll(providedBy(file, entry, jar));
                    }
                }
            }
            return new Offered(bsn, version, name, new ArrayList<>(provides), a.getValue("Fragment-Host") != null,
                    jar);
        } catch (IOException e) {
            throw new IOException("cannot read bundle jar " + jar + ": " + e.getMessage(), e);
        }
    }

    private static boolean matchesComponentHeader(String entry, String header) {
        for (String part : header.split(",")) {
            String pattern = part.trim();
            if (pattern.isEmpty()) {
                continue;
            }
            String regex = "\\Q" + pattern.replace("*", "\\E[^/]*\\Q") + "\\E";
            if (entry.matches(regex)) {
                return true;
            }
        }
        return false;
    }

    private static List<Provides> providedBy(JarFile file, JarEntry entry, Path jar) throws IOException {
        List<Provides> found = new ArrayList<>();
        try (InputStream in = file.getInputStream(entry)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = f.newDocumentBuilder().parse(in);
            NodeList provides = doc.getElementsByTagNameNS("*", "provide");
            NodeList plain = doc.getElementsByTagName("provide");
            for (NodeList list : List.of(provides, plain)) {
                for (int i = 0; i < list.getLength(); i++) {
                    String itf = ((Element) list.item(i)).getAttribute("interface");
                    for (Provides p : Provides.values()) {
                        if (p.interfaceName().equals(itf) && !found.contains(p)) {
                            found.add(p);
                        }
                    }
                }
            }
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(jar + "!/" + entry.getName() + " is not a readable component description: "
                    + e.getMessage(), e);
        }
        return found;
    }
}
