package io.herald.yjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the codec over random structurally valid updates (see {@link UpdateArbitraries}). */
class YjsPropertiesTest {
    private static final byte[] EMPTY = {0, 0};
    private final Yjs yjs = Yjs.withDefaults();

    @Provide
    Arbitrary<YUpdate> updates() {
        return UpdateArbitraries.updates();
    }

    @Property(tries = 300)
    void encodingThenDecodingGivesTheSameModelAndTheSameBytes(@ForAll("updates") YUpdate update) {
        byte[] bytes = yjs.encode(update);
        YUpdate decoded = yjs.decode(bytes);
        assertThat(decoded).isEqualTo(update);
        assertThat(yjs.encode(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 300)
    void mergingAMergedUpdateAgainOrWithItselfChangesNothing(@ForAll("updates") YUpdate update) {
        byte[] merged = yjs.merge(List.of(yjs.encode(update), EMPTY));
        assertThat(yjs.merge(List.of(merged))).isEqualTo(merged);
        assertThat(yjs.merge(List.of(merged, EMPTY))).isEqualTo(merged);
        assertThat(yjs.merge(List.of(merged, merged))).isEqualTo(merged);
        assertThat(yjs.diff(merged, new byte[] {0})).isEqualTo(merged);
    }

    @Property(tries = 300)
    void stateVectorOfAMergeCoversBothInputs(@ForAll("updates") YUpdate a, @ForAll("updates") YUpdate b) {
        byte[] ea = yjs.encode(a);
        byte[] eb = yjs.encode(b);
        Map<Long, Long> merged = yjs.decodeStateVector(yjs.stateVectorFromUpdate(yjs.merge(List.of(ea, eb))));
        for (byte[] input : List.of(ea, eb)) {
            yjs.decodeStateVector(yjs.stateVectorFromUpdate(input)).forEach((client, clock) ->
                    assertThat(merged.getOrDefault(client, 0L)).as("client %d", client).isGreaterThanOrEqualTo(clock));
        }
    }

    @Property(tries = 300)
    void aDiffMergedBackIntoItsSourceChangesNothing(@ForAll("updates") YUpdate update, @ForAll long seed) {
        byte[] merged = yjs.merge(List.of(yjs.encode(update), EMPTY));
        Map<Long, Long> sv = yjs.decodeStateVector(yjs.stateVectorFromUpdate(merged));
        java.util.Random random = new java.util.Random(seed);
        Map<Long, Long> partial = new java.util.HashMap<>();
        sv.forEach((client, clock) -> partial.put(client, (long) random.nextInt((int) Math.min(clock, 1000) + 1)));
        byte[] diff = yjs.diff(merged, yjs.encodeStateVector(partial));
        assertThat(yjs.merge(List.of(diff, merged))).isEqualTo(merged);
        assertThat(yjs.merge(List.of(merged, diff))).isEqualTo(merged);
    }
}
