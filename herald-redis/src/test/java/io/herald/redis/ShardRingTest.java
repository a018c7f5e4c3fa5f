package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShardRingTest {

    private static final int STREAMS = 100_000;

    @Test
    void fnv1aMatchesThePublishedTestVectors() {
        assertThat(ShardRing.fnv1a64(new byte[0])).isEqualTo(0xcbf29ce484222325L);
        assertThat(ShardRing.fnv1a64("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(ShardRing.fnv1a64("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void jumpHashStaysInRangeAndGivesTheSameAnswerEveryTime() {
        for (long key = -500; key < 500; key++) {
            for (int buckets = 1; buckets < 20; buckets++) {
                assertThat(ShardRing.jump(key * 0x9e3779b97f4a7c15L, buckets)).isBetween(0, buckets - 1)
                        .isEqualTo(ShardRing.jump(key * 0x9e3779b97f4a7c15L, buckets));
            }
        }
        assertThat(new ShardRing(7).index("org:1")).isEqualTo(new ShardRing(7).index("org:1"));
    }

    @Test
    void streamsSpreadEvenlyOverTheServers() {
        ShardRing ring = new ShardRing(8);
        int[] counts = new int[8];
        for (int i = 0; i < STREAMS; i++) {
            counts[ring.index("org:" + i)]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(STREAMS / 8 * 9 / 10, STREAMS / 8 * 11 / 10);
        }
    }

    @Test
    void growingTheRingMovesOnlyItsShareAndOnlyToTheNewServer() {
        ShardRing four = new ShardRing(4);
        ShardRing five = new ShardRing(5);
        int moved = 0;
        for (int i = 0; i < STREAMS; i++) {
            String stream = "events:evt_" + i;
            int before = four.index(stream);
            int after = five.index(stream);
            if (before != after) {
                assertThat(after).isEqualTo(4);
                moved++;
            }
        }
        assertThat(moved).isBetween(STREAMS / 5 * 9 / 10, STREAMS / 5 * 11 / 10);
    }

    @Test
    void oneServerTakesEverythingAndNoneIsRefused() {
        assertThat(new ShardRing(1).index("anything")).isZero();
        assertThatThrownBy(() -> new ShardRing(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
