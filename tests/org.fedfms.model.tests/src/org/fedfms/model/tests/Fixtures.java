package org.fedfms.model.tests;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.osgi.framework.FrameworkUtil;

/** Files of this bundle's {@code fixtures/} folder (made by {@code fixtures/make_fixtures.py} and {@code fixtures/make_checkpoints.py}). */
final class Fixtures {

    private Fixtures() {
    }

    /** Copies fixture {@code name} into {@code dir} and returns the copy. */
    static Path copy(String name, Path dir) throws IOException {
        URL url = FrameworkUtil.getBundle(Fixtures.class).getEntry("fixtures/" + name);
        if (url == null) {
            throw new IOException("no fixture " + name);
        }
        Path target = dir.resolve(name);
        try (InputStream in = url.openStream()) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
