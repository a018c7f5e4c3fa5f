package io.herald.yjs;

import static io.herald.yjs.VectorFiles.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes: truncations of every vector at every length, then a bounded fuzz run (random
 * bytes, bit flips, byte edits, duplicated and spliced slices of the vectors) through every
 * decoder and operation. Each call must succeed or throw {@link YjsFormatException}; anything
 * else, a hang or an out-of-memory fails the test with the offending input.
 */
class YjsHostileInputTest {
    /** The fuzz loop stops at whichever comes first. */
    private static final Duration FUZZ_TIME = Duration.ofSeconds(4);
    private static final int FUZZ_MAX_INPUTS = 300_000;
    private static final long SEED = 0x5eed_4e4a_1dL;

    private final Yjs yjs = Yjs.withDefaults();
    private final List<byte[]> corpus = corpus();

    private static List<byte[]> corpus() {
        List<byte[]> out = new ArrayList<>();
        JsonNode s = VectorFiles.load("yjs-scenario-text-map.json");
        JsonNode c = VectorFiles.load("yjs-content-types.json");
        s.get("updates").forEach(u -> out.add(hex(u.get("hex"))));
        out.add(hex(s.get("mergeAll").get("hex")));
        out.add(hex(s.get("encodeStateAsUpdateOfFinalDoc").get("hex")));
        out.add(hex(s.get("gapSkip").get("hex")));
        s.get("diffs").forEach(d -> out.add(hex(d.get("diffHex"))));
        out.add(hex(c.get("fullStateHex")));
        out.add(hex(c.get("gc").get("fullStateHex")));
        out.add(hex(c.get("legacyContentJSON").get("hex")));
        c.get("handBuiltGcSkipMerges").forEach(m -> m.get("inputsHex").forEach(h -> out.add(hex(h))));
        out.add(hex(s.get("finalStateVector").get("hex")));
        return out;
    }

    /** Runs every entry point on {@code input}; returns how many accepted it. */
    private int exercise(byte[] input, byte[] valid) {
        int accepted = 0;
        accepted += attempt(input, () -> {
            YUpdate u = yjs.decode(input);
            yjs.decode(yjs.encode(u));
        });
        accepted += attempt(input, () -> yjs.decode(yjs.merge(List.of(input, valid))));
        accepted += attempt(input, () -> yjs.decode(yjs.merge(List.of(valid, input, input))));
        accepted += attempt(input, () -> yjs.decode(yjs.diff(input, new byte[] {1, 1, 3})));
        accepted += attempt(input, () -> yjs.diff(valid, input));
        accepted += attempt(input, () -> yjs.decodeStateVector(yjs.stateVectorFromUpdate(input)));
        accepted += attempt(input, () -> yjs.encodeStateVector(yjs.decodeStateVector(input)));
        accepted += attempt(input, () -> AnyCodec.read(new Lib0Decoder(input, YjsLimits.DEFAULTS)));
        return accepted;
    }

    private static int attempt(byte[] input, Runnable op) {
        try {
            op.run();
            return 1;
        } catch (YjsFormatException expected) {
            return 0;
        } catch (Throwable t) {
            return fail("input " + hex(input) + " escaped with " + t, t);
        }
    }

    @Test
    void everyTruncationOfEveryVectorIsRefusedOrHandledCleanly() {
        int truncations = 0;
        for (byte[] u : corpus) {
            for (int len = 0; len < u.length; len++) {
                exercise(Arrays.copyOf(u, len), corpus.get(0));
                truncations++;
            }
        }
        assertThat(truncations).isGreaterThan(1000);
    }

    @Test
    void randomAndMutatedBytesOnlyEverSucceedOrThrowYjsFormatException() {
        Random random = new Random(SEED);
        int[] stats = new int[2];
        assertTimeoutPreemptively(FUZZ_TIME.plusSeconds(20), () -> {
            long deadline = System.nanoTime() + FUZZ_TIME.toNanos();
            while (stats[0] < FUZZ_MAX_INPUTS && System.nanoTime() < deadline) {
                byte[] input = mutate(random);
                stats[1] += exercise(input, corpus.get(random.nextInt(corpus.size())));
                stats[0]++;
            }
        });
        // Most mutations break the update, but some must survive, or the fuzzer tests nothing.
        assertThat(stats[0]).isGreaterThan(1000);
        assertThat(stats[1]).isGreaterThan(stats[0] / 10);
    }

    private byte[] mutate(Random r) {
        byte[] base = corpus.get(r.nextInt(corpus.size())).clone();
        switch (r.nextInt(7)) {
            case 0: {
                byte[] noise = new byte[r.nextInt(48)];
                r.nextBytes(noise);
                return noise;
            }
            case 1:
                for (int i = 1 + r.nextInt(4); i > 0 && base.length > 0; i--) {
                    base[r.nextInt(base.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return base;
            case 2:
                if (base.length > 0) {
                    base[r.nextInt(base.length)] = (byte) new int[] {0x00, 0x7F, 0x80, 0xFF, 0x0A, 0x20, 0x76, 0x75}[r.nextInt(8)];
                }
                return base;
            case 3:
                return duplicateSlice(base, r);
            case 4: {
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int cut = r.nextInt(base.length + 1);
                int from = r.nextInt(other.length + 1);
                byte[] out = Arrays.copyOf(base, cut + other.length - from);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
            case 5: {
                int at = r.nextInt(base.length + 1);
                byte[] out = new byte[base.length + 1];
                System.arraycopy(base, 0, out, 0, at);
                out[at] = (byte) r.nextInt(256);
                System.arraycopy(base, at, out, at + 1, base.length - at);
                return out;
            }
            default:
                return Arrays.copyOf(base, r.nextInt(base.length + 1));
        }
    }

    private static byte[] duplicateSlice(byte[] base, Random r) {
        if (base.length == 0) {
            return base;
        }
        int from = r.nextInt(base.length);
        int len = 1 + r.nextInt(base.length - from);
        byte[] out = new byte[base.length + len];
        System.arraycopy(base, 0, out, 0, from + len);
        System.arraycopy(base, from, out, from + len, base.length - from);
        return out;
    }

    @Test
    void countsAndLengthsLargerThanTheInputAreRefusedBeforeAnyAllocation() {
        String[] lies = {
            "ffffffff0f",                          // 2^32 client blocks
            "01ffffffffffffff0f0100",              // 2^53 structs in a block
            "0101010003ffffffff0f",                // a Binary claiming 4 GiB
            "0101010004ffffffff07",                // a string claiming 2 GiB
            "01010100080180808080808080800100",    // an Any count past 2^53
            "000180808080808001ffffffff0f",        // delete-set ranges claiming 2^32
            "01010100080175ffffff7f",              // an Any array claiming 2^28 elements
        };
        for (String lie : lies) {
            byte[] input = VectorFiles.HEX.parseHex(lie);
            assertThatThrownBy(() -> yjs.decode(input)).as(lie).isInstanceOf(YjsFormatException.class);
            assertThatThrownBy(() -> yjs.merge(List.of(input, input))).as(lie).isInstanceOf(YjsFormatException.class);
        }
    }

    @Test
    void limitsCapStructsRangesPayloadsAndNesting() {
        Yjs tight = new Yjs(new YjsLimits(2, 2, 4, 2));
        // three GC structs of client 9
        assertThatThrownBy(() -> tight.decode(VectorFiles.HEX.parseHex("0103090000010001000100")))
                .hasMessageContaining("more than 2 structs");
        // three delete ranges of client 1
        assertThatThrownBy(() -> tight.decode(VectorFiles.HEX.parseHex("00010103000102010401")))
                .hasMessageContaining("more than 2 delete ranges");
        // root "text" (4 bytes) holding the 5-byte string "abcde"
        assertThatThrownBy(() -> tight.decode(VectorFiles.HEX.parseHex("010101000401047465787405616263646500")))
                .hasMessageContaining("exceeds the limit");
        assertThat(tight.decode(VectorFiles.HEX.parseHex("0101010004010161016100")).structs()).hasSize(1);
        // an Any value [[[null]]] under a nesting limit of 2
        assertThatThrownBy(() -> tight.decode(VectorFiles.HEX.parseHex("01010100080101610175017501750 17e00".replace(" ", ""))))
                .hasMessageContaining("nested");
    }

    @Test
    void malformedStructsAreRefusedWithAReason() {
        Consumer<String> refused = h -> assertThatThrownBy(() -> yjs.decode(VectorFiles.HEX.parseHex(h)))
                .as(h).isInstanceOf(YjsFormatException.class);
        refused.accept("010101000b01016100");          // content ref 11
        refused.accept("010101008a0100");              // ref 10 with flags is no Skip
        refused.accept("0101010007010161070000");      // type ref 7
        refused.accept("0101010004010161000000");      // empty string content
        refused.accept("0101010008010161000000");      // Any with no values
        refused.accept("01010100010101610000");        // Deleted of length 0
        refused.accept("010101000000");                // GC of length 0
        refused.accept("0101010005010161037b7d7800");  // embed JSON with trailing garbage "{}x"
        refused.accept("01010100090101610167797e00".replace("797e", "7e"));  // sub-document options null
        refused.accept("0101010100ffffffffffffff0f00"); // GC range ending past 2^53 - 1
    }
}
