package io.herald.server.examples;

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
 * The examples at {@code /examples/} in headless Chromium: {@code npx playwright test} in {@code src/test/js-examples}
 * (@playwright/test from its committed lockfile, Debian's {@code chromium}) against a server started the way
 * {@code ./herald serve} starts without secrets, so dev mode's example configuration is what the pages get.
 * Prints {@code N passed, M failed}; skipped like {@code AdminPageBrowserTest} without a browser.
 */
class ExamplesBrowserTest {
    private static final NodeProject JS = new NodeProject("src/test/js-examples", "the examples' browser tests need");
    /** Five browser tests of at most 60 s each (playwright.config.mjs); this bounds the whole run. */
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(360);
    private static final int TESTS = 5;

    @Test
    void everyExamplePassesItsBrowserTestInHeadlessChromium(@TempDir Path dir) throws Exception {
        Path chromium = Chromium.require("ExamplesBrowserTest");
        JS.install();
        ConfigLoader.Loaded loaded = new ConfigLoader(Map.of(
                "HERALD_SERVER_HOST", "127.0.0.1",
                "HERALD_SERVER_PORT", "0",
                "HERALD_STORAGE_PATH", dir.resolve("herald.db").toString())).load(null, null);
        assertThat(loaded.devMode()).isTrue();
        try (HeraldServer server = HeraldServer.start(loaded)) {
            assertThat(server.servesExamples()).as("the examples are in target/classes (examples/build.mjs)").isTrue();
            Chromium.playwright(JS, RUN_TIMEOUT, dir, Map.of(
                    "HERALD_URL", "http://127.0.0.1:" + server.port(),
                    "HERALD_ACCESS_TOKEN", loaded.config().server().accessToken(),
                    "HERALD_CHROMIUM", chromium.toString()), TESTS);
        }
    }
}
