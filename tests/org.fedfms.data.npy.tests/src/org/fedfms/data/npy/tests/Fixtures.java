package org.fedfms.data.npy.tests;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/** Copies the test bundle's {@code fixtures/} (written by make_fixtures.py with NumPy) to a folder. */
final class Fixtures {

    private Fixtures() {
    }

    static Path copyTo(Path dir) throws IOException {
        Bundle b = FrameworkUtil.getBundle(Fixtures.class);
        Enumeration<URL> e = b.findEntries("fixtures", "*", true);
        int n = 0;
        while (e != null && e.hasMoreElements()) {
            URL u = e.nextElement();
            String p = u.getPath();
            if (p.endsWith("/")) {
                continue;
            }
            Path dst = dir.resolve(p.substring(p.indexOf("fixtures/") + "fixtures/".length()));
            Files.createDirectories(dst.getParent());
            try (InputStream in = u.openStream()) {
                Files.copy(in, dst);
            }
            n++;
        }
        if (n == 0) {
            throw new IOException("no fixtures in bundle " + b.getSymbolicName());
        }
        return dir;
    }
}
