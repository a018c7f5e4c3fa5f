package io.herald.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.Chromium;
import io.herald.server.NodeProject;
import io.herald.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page in headless Chromium: {@code npx playwright test} in {@code src/test/js-admin} (@playwright/test
 * from its committed lockfile) against a real server in dev mode, with Debian's {@code chromium} as the browser.
 * Prints one line {@code N passed, M failed} for CI and fails with Playwright's output when a test fails.
 * Without a {@code chromium} on the PATH (or at {@code HERALD_CHROMIUM}, when set) it is skipped with one line
 * saying why, unless {@code HERALD_TEST_REQUIRE_BROWSER=1}, under which it fails.
 */
class AdminPageBrowserTest {
    private static final NodeProject JS = new NodeProject("src/test/js-admin", "the admin page's browser tests need");
    /** Every browser test has 60 s (playwright.config.mjs); this bounds the whole run. */
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(240);
    static final Path SCREENSHOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/admin-screenshot.png");

    @Test
    void thePagePassesItsBrowserTestsInHeadlessChromium(@TempDir Path dir) throws Exception {
        Path chromium = Chromium.require("AdminPageBrowserTest");
        JS.install();
        Files.deleteIfExists(SCREENSHOT);
        Files.createDirectories(SCREENSHOT.getParent());
        Path report = dir.resolve("report.json");
        try (TestServer server = TestServer.startInDevMode(AdminApiTest.config(AdminApiTest.YAML, dir.resolve("herald.db")))) {
            NodeProject.Result r = JS.run(List.of(npx(), "--no-install", "playwright", "test"), RUN_TIMEOUT, Map.of(
                    "HERALD_URL", "http://127.0.0.1:" + server.port(),
                    "HERALD_ACCESS_TOKEN", TestServer.ACCESS_TOKEN,
                    "HERALD_CHROMIUM", chromium.toString(),
                    "HERALD_SCREENSHOT", SCREENSHOT.toString(),
                    "HERALD_REPORT", report.toString(),
                    "HERALD_OUTPUT_DIR", dir.resolve("results").toString(),
                    "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1",
                    "CI", "1"));
            int[] counts = counts(report);
            // Playwright's own list (one line per test, with its time), then the line CI counts
            System.out.println(r.output().strip());
            System.out.println(counts[0] + " passed, " + counts[1] + " failed");
            assertThat(r.exitCode()).as("npx playwright test exited %d:%n%s", r.exitCode(), r.output()).isZero();
            assertThat(counts[0]).as("browser tests passed:%n%s", r.output()).isEqualTo(2);
        }
        assertThat(SCREENSHOT).as("the screenshot for review").exists();
        assertThat(Files.size(SCREENSHOT)).isPositive();
    }

    /** Passed and failed (unexpected or flaky) tests from Playwright's JSON report; both 0 when it wrote none. */
    private static int[] counts(Path report) throws Exception {
        if (!Files.exists(report)) {
            return new int[] {0, 0};
        }
        JsonNode stats = TestServer.JSON.readTree(report.toFile()).path("stats");
        return new int[] {stats.path("expected").asInt(), stats.path("unexpected").asInt() + stats.path("flaky").asInt()};
    }

    private static String npx() {
        return NodeProject.NODE.endsWith(".exe") ? "npx.cmd" : "npx";
    }
}
