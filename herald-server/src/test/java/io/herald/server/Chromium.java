package io.herald.server;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium} for the Playwright tests: {@code HERALD_CHROMIUM} when set, else the first on the PATH.
 * Without one a browser test is skipped with one printed line, unless {@code HERALD_TEST_REQUIRE_BROWSER=1}.
 */
public final class Chromium {
    private Chromium() {
    }

    /** {@code HERALD_CHROMIUM} when set, else the first {@code chromium} on the PATH ({@code command -v chromium}). */
    public static Optional<Path> find() {
        String given = System.getenv("HERALD_CHROMIUM");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "chromium");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The browser, or: a failure under {@code HERALD_TEST_REQUIRE_BROWSER=1}, else one line saying why on stdout and
     * the test aborted (skipped). {@code test} names the test class in that line.
     */
    public static Path require(String test) {
        Optional<Path> chromium = find();
        if (chromium.isPresent()) {
            return chromium.get();
        }
        String given = System.getenv("HERALD_CHROMIUM");
        String why = given != null && !given.isBlank() ? "HERALD_CHROMIUM=" + given + " is not an executable"
                : "no chromium on the PATH (apt-get install -y chromium)";
        if ("1".equals(System.getenv("HERALD_TEST_REQUIRE_BROWSER"))) {
            fail(test + ": " + why + ", and HERALD_TEST_REQUIRE_BROWSER=1 requires the browser tests");
        }
        System.out.println(test + " skipped: " + why + "; HERALD_TEST_REQUIRE_BROWSER=1 makes this a failure");
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }
}
