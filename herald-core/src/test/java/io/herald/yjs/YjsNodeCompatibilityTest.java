package io.herald.yjs;

import static io.herald.yjs.VectorFiles.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Differential test against the real yjs 13.6.33 in node (src/test/js-yjs, committed lockfile):
 * random multi-client documents edited with text, formatting, embeds, maps, arrays, XML, nested
 * and sub-documents, deletions and GC; their updates, snapshots, diffs and merges of merges are
 * merged, diffed and reduced to state vectors by yjs and by {@link Yjs}, and the bytes compared.
 * Requires node and npm: the test fails, not skips, without them.
 */
class YjsNodeCompatibilityTest {
    private static final Path DIR = Path.of("src/test/js-yjs").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEEDS = 4;
    private static final int SCENARIOS_PER_SEED = 25;
    private final Yjs yjs = Yjs.withDefaults();

    @BeforeAll
    static void installYjs() throws Exception {
        run(List.of("node", "--version"), null);
        run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), null);
    }

    @Test
    void mergeDiffAndStateVectorAreByteIdenticalToYjsOnRandomDocuments() throws Exception {
        int checked = 0;
        List<String> mismatches = new ArrayList<>();
        for (int seed = 1; seed <= SEEDS; seed++) {
            JsonNode cases = JSON.readTree(run(List.of("node", "yjs-oracle.mjs", "cases", "" + seed, "" + SCENARIOS_PER_SEED), null));
            for (JsonNode c : cases) {
                if (c.has("many")) {
                    continue;
                }
                String actual = hex(apply(c));
                if (!actual.equals(c.get("out").asText())) {
                    mismatches.add("seed " + seed + " " + c.get("op").asText() + ": " + c + " -> " + actual);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(2000);
        assertThat(mismatches).as("%d of %d cases differ", mismatches.size(), checked).isEmpty();
    }

    /**
     * Hand-built items no yjs writer produces (JSON with whitespace, odd number spellings and
     * escapes, float64 integers, duplicate and {@code __proto__} keys, odd sub-document options):
     * yjs re-encodes them canonically on merge, and the codec must write the same bytes, or refuse
     * exactly the inputs yjs refuses.
     */
    @Test
    void nonCanonicalContentIsReencodedOrRefusedExactlyLikeYjs() throws Exception {
        JsonNode cases = JSON.readTree(run(List.of("node", "yjs-oracle.mjs", "noncanonical"), null));
        int refused = 0;
        for (JsonNode c : cases) {
            if (c.has("error")) {
                assertThatThrownBy(() -> apply(c)).as("%s (yjs: %s)", c.get("inputs").get(0), c.get("error"))
                        .isInstanceOf(YjsFormatException.class);
                refused++;
            } else {
                assertThat(hex(apply(c))).as(c.get("inputs").get(0).asText()).isEqualTo(c.get("out").asText());
            }
        }
        assertThat(cases.size()).isGreaterThan(50);
        assertThat(refused).isPositive().isLessThan(cases.size());
    }

    /**
     * From 64 inputs on, V8 sorts with merges instead of one insertion sort; the codec then uses a
     * plain stable sort, which can only differ where one input holds GC and another an Item at the
     * same clock. Such merges must be byte-identical or apply to the same document.
     */
    @Test
    void mergesOfSixtyFourOrMoreInputsAreByteIdenticalOrTheSameDocument() throws Exception {
        ArrayNode pairs = JSON.createArrayNode();
        int many = 0;
        int identical = 0;
        for (int seed = 1; seed <= SEEDS; seed++) {
            JsonNode cases = JSON.readTree(run(List.of("node", "yjs-oracle.mjs", "cases", "" + seed, "" + SCENARIOS_PER_SEED), null));
            for (JsonNode c : cases) {
                if (!c.has("many")) {
                    continue;
                }
                many++;
                String actual = hex(apply(c));
                if (actual.equals(c.get("out").asText())) {
                    identical++;
                } else {
                    pairs.addObject().put("a", c.get("out").asText()).put("b", actual);
                }
            }
        }
        assertThat(many).isPositive();
        if (!pairs.isEmpty()) {
            JsonNode verdicts = JSON.readTree(run(List.of("node", "yjs-oracle.mjs", "equivalent"), JSON.writeValueAsString(pairs)));
            for (JsonNode v : verdicts) {
                assertThat(v.get("same").asBoolean()).as("yjs %s%njava %s", v.get("a"), v.get("b")).isTrue();
            }
        }
        System.out.printf("merges of 64+ inputs: %d byte-identical, %d proven equivalent in yjs%n", identical, pairs.size());
        assertThat(identical + pairs.size()).isEqualTo(many);
    }

    private byte[] apply(JsonNode c) {
        switch (c.get("op").asText()) {
            case "merge": {
                List<byte[]> inputs = new ArrayList<>();
                c.get("inputs").forEach(h -> inputs.add(hex(h)));
                return yjs.merge(inputs);
            }
            case "diff":
                return yjs.diff(hex(c.get("update")), hex(c.get("sv")));
            default:
                return yjs.stateVectorFromUpdate(hex(c.get("update")));
        }
    }

    private static String run(List<String> command, String stdin) throws Exception {
        Path out = Files.createTempFile("yjs-oracle", ".out");
        Path err = Files.createTempFile("yjs-oracle", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(DIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                return fail("'" + command.get(0) + "' is required for the yjs compatibility test: " + e.getMessage());
            }
            if (stdin != null) {
                try (var w = p.getOutputStream()) {
                    w.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            } else {
                p.getOutputStream().close();
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return fail(command + " timed out");
            }
            if (p.exitValue() != 0) {
                return fail(command + " exited " + p.exitValue() + ": " + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
