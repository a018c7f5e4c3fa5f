package io.herald.yjs;

import static io.herald.yjs.VectorFiles.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every update vector of yjs-scenario-text-map.json and yjs-content-types.json: decoding matches
 * the generator's view, and merge, diff and state vectors are byte-identical to yjs 13.6.33.
 */
class YjsVectorsTest {
    private static final JsonNode SCENARIO = VectorFiles.load("yjs-scenario-text-map.json");
    private static final JsonNode CONTENT = VectorFiles.load("yjs-content-types.json");
    private static final byte[] EMPTY = {0, 0};
    private final Yjs yjs = Yjs.withDefaults();

    private List<byte[]> scenarioUpdates() {
        List<byte[]> out = new ArrayList<>();
        SCENARIO.get("updates").forEach(u -> out.add(hex(u.get("hex"))));
        return out;
    }

    private void assertDecodesTo(byte[] update, JsonNode expected) {
        JsonNode actual = VectorFiles.view(yjs.decode(update));
        assertThat(VectorFiles.sameJson(actual, expected)).as("decoded %s%nexpected %s", actual, expected).isTrue();
    }

    @Test
    void everyScenarioUpdateDecodesToTheGeneratorsView() {
        assertThat(SCENARIO.get("updates")).hasSize(11);
        for (JsonNode u : SCENARIO.get("updates")) {
            assertDecodesTo(hex(u.get("hex")), u.get("decoded"));
        }
    }

    @Test
    void everyScenarioUpdateReencodesToItsOwnBytesExceptTheDroppedParentSubFlag() {
        String c1 = SCENARIO.get("singleInputIdentity").get("inputHex").asText();
        for (JsonNode u : SCENARIO.get("updates")) {
            String in = u.get("hex").asText();
            String expected = in.equals(c1) ? SCENARIO.get("singleInputIdentity").get("mergeWithEmptyUpdateHex").asText() : in;
            assertThat(hex(yjs.encode(yjs.decode(hex(u.get("hex")))))).as(u.get("name").asText()).isEqualTo(expected);
        }
    }

    @Test
    void stateVectorFromEachScenarioUpdateFollowsTheClockZeroRule() {
        for (JsonNode u : SCENARIO.get("updates")) {
            assertThat(hex(yjs.stateVectorFromUpdate(hex(u.get("hex"))))).as(u.get("name").asText())
                    .isEqualTo(u.get("stateVectorFromUpdateHex").asText());
        }
    }

    @Test
    void mergingAllUpdatesInAnyOrderOrAsATreeGivesYjsBytes() {
        List<byte[]> all = scenarioUpdates();
        String mergeAll = SCENARIO.get("mergeAll").get("hex").asText();
        assertThat(hex(yjs.merge(all))).isEqualTo(mergeAll);
        assertDecodesTo(yjs.merge(all), SCENARIO.get("mergeAll").get("decoded"));
        List<byte[]> reversed = new ArrayList<>(all);
        Collections.reverse(reversed);
        assertThat(hex(yjs.merge(reversed))).isEqualTo(SCENARIO.get("mergeAllReversedInput").get("hex").asText());
        byte[] tree = yjs.merge(List.of(yjs.merge(all.subList(0, 4)), yjs.merge(all.subList(4, all.size()))));
        assertThat(hex(tree)).isEqualTo(SCENARIO.get("mergeTree").get("hex").asText());
    }

    @Test
    void stateVectorOfTheMergedUpdateEqualsTheFinalDocumentsStateVector() {
        String finalSv = SCENARIO.get("finalStateVector").get("hex").asText();
        assertThat(hex(yjs.stateVectorFromUpdate(hex(SCENARIO.get("mergeAll").get("hex"))))).isEqualTo(finalSv)
                .isEqualTo(SCENARIO.get("stateVectorFromMergedUpdate").get("hex").asText());
        assertThat(hex(yjs.encodeStateVector(yjs.decodeStateVector(VectorFiles.HEX.parseHex(finalSv))))).isEqualTo(finalSv);
        assertThat(yjs.decodeStateVector(VectorFiles.HEX.parseHex(finalSv)))
                .containsEntry(3735928559L, 4L).containsEntry(2L, 5L).containsEntry(1L, 12L).hasSize(3);
    }

    @Test
    void fullStateOfTheFinalDocumentDecodesToTheGeneratorsView() {
        JsonNode v = SCENARIO.get("encodeStateAsUpdateOfFinalDoc");
        assertDecodesTo(hex(v.get("hex")), v.get("decoded"));
    }

    @Test
    void diffsAgainstEveryStateVectorGiveYjsBytes() {
        byte[] merged = hex(SCENARIO.get("mergeAll").get("hex"));
        assertThat(SCENARIO.get("diffs")).hasSize(4);
        for (JsonNode c : SCENARIO.get("diffs")) {
            byte[] diff = yjs.diff(merged, hex(c.get("stateVectorHex")));
            assertThat(hex(diff)).as(c.get("name").asText()).isEqualTo(c.get("diffHex").asText());
            assertDecodesTo(diff, c.get("decoded"));
        }
    }

    @Test
    void overlappingRepresentationsMergeLikeYjsInBothOrders() {
        JsonNode o = SCENARIO.get("overlap");
        byte[] a1 = hex(o.get("inputs").get("uA1"));
        byte[] full = hex(o.get("inputs").get("fullState"));
        assertThat(hex(yjs.merge(List.of(a1, full)))).isEqualTo(o.get("forwardHex").asText());
        assertThat(hex(yjs.merge(List.of(full, a1)))).isEqualTo(o.get("reverseHex").asText());
        assertDecodesTo(yjs.merge(List.of(a1, full)), o.get("forwardDecoded"));
    }

    @Test
    void singleInputIsReturnedUntouchedWhileARealMergeDropsTheParentSubFlag() {
        JsonNode v = SCENARIO.get("singleInputIdentity");
        byte[] c1 = hex(v.get("inputHex"));
        assertThat(hex(yjs.merge(List.of(c1)))).isEqualTo(v.get("mergeSingleHex").asText());
        assertThat(hex(yjs.merge(List.of(c1, EMPTY)))).isEqualTo(v.get("mergeWithEmptyUpdateHex").asText());
        assertThat(yjs.merge(List.of())).containsExactly(0, 0);
    }

    @Test
    void aMissingUpdateBecomesASkipThatStopsTheStateVectorAndSurvivesDiff() {
        JsonNode g = SCENARIO.get("gapSkip");
        List<byte[]> all = scenarioUpdates();
        byte[] withGap = yjs.merge(List.of(all.get(0), all.get(2)));
        assertThat(hex(withGap)).isEqualTo(g.get("hex").asText());
        assertDecodesTo(withGap, g.get("decoded"));
        assertThat(hex(yjs.stateVectorFromUpdate(withGap))).isEqualTo(g.get("stateVectorFromUpdateHex").asText());
        JsonNode d = g.get("diffAgainstA2");
        byte[] diff = yjs.diff(withGap, hex(d.get("stateVectorHex")));
        assertThat(hex(diff)).isEqualTo(d.get("diffHex").asText());
        assertDecodesTo(diff, d.get("decoded"));
    }

    @Test
    void handBuiltGcAndSkipMergesGiveYjsBytes() {
        assertThat(CONTENT.get("handBuiltGcSkipMerges")).hasSize(5);
        for (JsonNode c : CONTENT.get("handBuiltGcSkipMerges")) {
            List<byte[]> inputs = new ArrayList<>();
            c.get("inputsHex").forEach(h -> inputs.add(hex(h)));
            byte[] merged = yjs.merge(inputs);
            assertThat(hex(merged)).as(c.get("label").asText()).isEqualTo(c.get("mergedHex").asText());
            assertThat(hex(yjs.stateVectorFromUpdate(merged))).isEqualTo(c.get("stateVectorFromMergedHex").asText());
        }
    }

    @Test
    void everyContentAndTypeRefDecodesAndReencodesIdentically() {
        byte[] full = hex(CONTENT.get("fullStateHex"));
        assertDecodesTo(full, CONTENT.get("fullStateDecoded"));
        assertThat(hex(yjs.encode(yjs.decode(full)))).isEqualTo(CONTENT.get("fullStateHex").asText());
        assertThat(hex(yjs.merge(List.of(full, EMPTY)))).isEqualTo(CONTENT.get("fullStateHex").asText());
        assertThat(hex(yjs.stateVectorFromUpdate(full))).isEqualTo(CONTENT.get("stateVectorHex").asText());
    }

    @Test
    void diffCuttingASurrogatePairWritesReplacementCharacterAndKeepsTheLength() {
        JsonNode s = CONTENT.get("surrogateCut");
        byte[] diff = yjs.diff(hex(CONTENT.get("fullStateHex")), hex(s.get("stateVectorHex")));
        assertThat(hex(diff)).isEqualTo(s.get("diffHex").asText());
        assertDecodesTo(diff, s.get("decoded"));
    }

    @Test
    void gcStructsDiffAndMergeLikeYjs() {
        JsonNode g = CONTENT.get("gc");
        byte[] full = hex(g.get("fullStateHex"));
        assertDecodesTo(full, g.get("decoded"));
        byte[] tail = yjs.diff(full, yjs.encodeStateVector(java.util.Map.of(7L, 2L)));
        assertThat(hex(tail)).isEqualTo(g.get("tailDiffFromClock2Hex").asText());
        assertDecodesTo(tail, g.get("tailDiffDecoded"));
        byte[] merged = yjs.merge(List.of(yjs.diff(full, new byte[] {0}), tail));
        assertThat(hex(merged)).isEqualTo(g.get("mergeOfFullAndTailHex").asText());
        assertDecodesTo(merged, g.get("mergeOfFullAndTailDecoded"));
    }

    @Test
    void legacyJsonContentIsReserializedLikeJsonStringify() {
        JsonNode l = CONTENT.get("legacyContentJSON");
        byte[] legacy = hex(l.get("hex"));
        assertDecodesTo(legacy, l.get("decoded"));
        assertThat(hex(yjs.merge(List.of(legacy, EMPTY)))).isEqualTo(l.get("reencodedByMergeHex").asText());
    }
}
