package io.herald.server.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's {@code docs/}, found from the module directory the tests run in. */
public final class RepositoryDocs {
    private RepositoryDocs() {
    }

    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs/broadcast.md"))) {
                return p.resolve("docs");
            }
        }
        throw new IllegalStateException("no docs/ above " + Path.of("").toAbsolutePath());
    }
}
