package io.herald.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.Chromium;
import io.herald.server.NodeProject;
import io.herald.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        try (TestServer server = TestServer.startInDevMode(AdminApiTest.config(AdminApiTest.YAML, dir.resolve("herald.db")))) {
            Chromium.playwright(JS, RUN_TIMEOUT, dir, Map.of(
                    "HERALD_URL", "http://127.0.0.1:" + server.port(),
                    "HERALD_ACCESS_TOKEN", TestServer.ACCESS_TOKEN,
                    "HERALD_CHROMIUM", chromium.toString(),
                    "HERALD_SCREENSHOT", SCREENSHOT.toString()), 2);
        }
        assertThat(SCREENSHOT).as("the screenshot for review").exists();
        assertThat(Files.size(SCREENSHOT)).isPositive();
    }
}
