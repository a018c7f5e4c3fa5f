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

    /**
     * Runs {@code npx playwright test -c config} in {@code js} with {@code env} (plus the report and output paths in
     * {@code dir}), prints Playwright's list and the "N passed, M failed" line CI counts, and asserts that it passed
     * {@code tests} tests.
     */
    public static void playwright(NodeProject js, String config, java.time.Duration timeout, Path dir, java.util.Map<String, String> env,
            int tests) throws Exception {
        Path report = dir.resolve("report.json");
        java.util.Map<String, String> all = new java.util.HashMap<>(env);
        all.put("HERALD_REPORT", report.toString());
        all.put("HERALD_OUTPUT_DIR", dir.resolve("results").toString());
        all.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        all.put("CI", "1");
        String npx = NodeProject.NODE.endsWith(".exe") ? "npx.cmd" : "npx";
        NodeProject.Result r = js.run(java.util.List.of(npx, "--no-install", "playwright", "test", "-c", config), timeout, all);
        int passed = 0;
        int failed = 0;
        if (Files.exists(report)) {
            com.fasterxml.jackson.databind.JsonNode stats = TestServer.JSON.readTree(report.toFile()).path("stats");
            passed = stats.path("expected").asInt();
            failed = stats.path("unexpected").asInt() + stats.path("flaky").asInt();
        }
        // Playwright's own list (one line per test, with its time), then the line CI counts
        System.out.println(r.output().strip());
        System.out.println(passed + " passed, " + failed + " failed");
        org.assertj.core.api.Assertions.assertThat(r.exitCode()).as("npx playwright test exited %d:%n%s", r.exitCode(), r.output()).isZero();
        org.assertj.core.api.Assertions.assertThat(passed).as("browser tests passed:%n%s", r.output()).isEqualTo(tests);
    }
}
