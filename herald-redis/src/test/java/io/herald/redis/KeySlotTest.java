package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeySlotTest {

    @Test
    void crc16IsXmodemAsTheClusterSpecificationSays() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(KeySlot.crc16(check, 0, check.length)).isEqualTo(0x31c3);
    }

    @Test
    void slotsMatchWhatRedisComputes() {
        // examples from the CLUSTER KEYSLOT documentation, and the MOVED slot seen for room:42 on Redis 7.0.15
        assertThat(KeySlot.of("somekey")).isEqualTo(11058);
        assertThat(KeySlot.of("foo{hash_tag}")).isEqualTo(2515);
        assertThat(KeySlot.of("room:42")).isEqualTo(16332);
        assertThat(KeySlot.of("{user1000}.following")).isEqualTo(KeySlot.of("user1000"));
    }

    @Test
    void allNamesOfAStreamShareOneSlot() {
        StreamKeys keys = new StreamKeys("herald");
        String stream = "org:7/{weird";
        int slot = KeySlot.of(keys.channel(stream));
        assertThat(KeySlot.of(keys.meta(stream))).isEqualTo(slot);
        assertThat(KeySlot.of(keys.history(stream))).isEqualTo(slot);
        assertThat(slot).isEqualTo(KeySlot.of(stream));
    }

    @Test
    void emptyHashTagHashesTheWholeKey() {
        byte[] whole = "a{}b".getBytes(StandardCharsets.US_ASCII);
        assertThat(KeySlot.of("a{}b")).isEqualTo(KeySlot.crc16(whole, 0, whole.length) % KeySlot.SLOTS);
    }
}
