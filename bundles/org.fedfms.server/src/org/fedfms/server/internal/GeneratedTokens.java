package org.fedfms.server.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.fedfms.security.OwnerOnlyFiles;
import org.fedfms.security.RandomSecrets;
import org.fedfms.security.TokenHash;

/**
 * Tokens the coordinator makes itself: a credential configured as {@value #GENERATE} gets a random token on first
 * start, kept in {@code <dir>/<key>} (owner-only) for the operator to hand to the site ({@code site.tokenFile}),
 * and the same one on every later start.
 */
final class GeneratedTokens {

    /** The configured value that asks for a generated token. */
    static final String GENERATE = "generate";

    private GeneratedTokens() {
    }

    /** The hash of the token kept for {@code key} in {@code dir}, made first if it is missing. */
    static TokenHash hash(Path dir, String key) {
        Path file = dir.resolve(key);
        try {
            if (!Files.exists(file)) {
                OwnerOnlyFiles.directory(dir);
                OwnerOnlyFiles.write(file, RandomSecrets.hex(24) + "\n");
            }
            return TokenHash.of(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the generated token of '" + key + "' in " + file, e);
        }
    }
}
