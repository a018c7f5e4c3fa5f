package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PubSubConnectionTest {

    private final StreamKeys keys = new StreamKeys("herald");
    private final List<String> channels = IntStream.range(0, 2000).mapToObj(i -> keys.channel("org:" + i)).toList();

    @Test
    void classicBatchesHoldAtMost512ChannelsEach() {
        List<List<String>> batches = PubSubConnection.batches(channels, false);

        assertThat(batches).extracting(List::size).containsExactly(512, 512, 512, 464);
        assertThat(batches.stream().flatMap(List::stream)).containsExactlyElementsOf(channels);
    }

    @Test
    void shardedBatchesNeverMixSlots() {
        List<List<String>> batches = PubSubConnection.batches(channels, true);

        assertThat(batches).allSatisfy(batch -> {
            assertThat(batch).hasSizeLessThanOrEqualTo(PubSubConnection.BATCH_LIMIT);
            assertThat(batch.stream().map(KeySlot::of).distinct()).hasSize(1);
        });
        assertThat(batches.stream().flatMap(List::stream)).containsExactlyInAnyOrderElementsOf(channels);
    }
}
