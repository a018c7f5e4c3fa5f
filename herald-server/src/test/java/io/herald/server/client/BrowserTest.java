package io.herald.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.Chromium;
import io.herald.server.HeraldServer;
import io.herald.server.NodeProject;
import io.herald.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page and the examples in headless Chromium: {@code npx playwright test} with the browser suite beside the
 * package ({@code clients/js/test/browser}, @playwright/test from the package's lockfile) against one server started
 * the way {@code ./herald serve} starts without secrets, so dev mode's admin page and example configuration are what
 * the pages get. Debian's {@code chromium} is the browser. Prints one line {@code N passed, M failed} for CI and fails
 * with Playwright's output when a test fails. Without a {@code chromium} on the PATH (or at {@code HERALD_CHROMIUM})
 * it is skipped with one line saying why, unless {@code HERALD_TEST_REQUIRE_BROWSER=1}, under which it fails.
 */
class BrowserTest {
    private static final NodeProject JS = new NodeProject("../clients/js", "the browser tests of the admin page and the examples need");
    /** Two admin tests and five example tests. */
    private static final int TESTS = 7;
    /** Every browser test has 60 s (playwright.config.mjs); this bounds the whole run. */
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(TESTS * 60 + 60);
    private static final Path SCREENSHOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/admin-screenshot.png");

    @Test
    void theAdminPageAndEveryExamplePassTheirBrowserTestsInHeadlessChromium(@TempDir Path dir) throws Exception {
        Path chromium = Chromium.require("BrowserTest");
        JS.install();
        Files.deleteIfExists(SCREENSHOT);
        Files.createDirectories(SCREENSHOT.getParent());
        ConfigLoader.Loaded loaded = new ConfigLoader(Map.of(
                "HERALD_SERVER_HOST", "127.0.0.1",
                "HERALD_SERVER_PORT", "0",
                "HERALD_STORAGE_PATH", dir.resolve("herald.db").toString())).load(null, null);
        assertThat(loaded.devMode()).isTrue();
        assertThat(loaded.config().admin().enabled()).as("dev mode turns the admin page on").isTrue();
        try (HeraldServer server = HeraldServer.start(loaded)) {
            assertThat(server.servesExamples()).as("the examples are in target/classes (examples/build.mjs)").isTrue();
            Chromium.playwright(JS, "test/browser/playwright.config.mjs", RUN_TIMEOUT, dir, Map.of(
                    "HERALD_URL", "http://127.0.0.1:" + server.port(),
                    "HERALD_ACCESS_TOKEN", loaded.config().server().accessToken(),
                    "HERALD_CHROMIUM", chromium.toString(),
                    "HERALD_SCREENSHOT", SCREENSHOT.toString()), TESTS);
        }
        assertThat(SCREENSHOT).as("the admin page's screenshot for review").exists();
        assertThat(Files.size(SCREENSHOT)).isPositive();
    }
}
