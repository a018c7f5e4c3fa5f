package io.herald.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * What a client resuming after any id is owed ({@link ChannelHub#poll}, the replay a stream gets too):
 * for every long, huge and negative ones included, nothing, a {@code realtime.reset}, or a reset and/or
 * the buffered events after the id in order; never an exception.
 */
class ChannelReplayPropertiesTest {
    private static final int RING = 5;
    private static final int PUBLISHED = 12;
    private static final HubFixture HUBS;
    private static final ChannelHub HUB;

    static {
        try {
            HUBS = new HubFixture(Files.createTempDirectory("channel-replay"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        HUB = HUBS.hub(HubFixture.ring(RING));
        HubFixture.publishRange(HUB, "pub:replay", 1, PUBLISHED);
    }

    @AfterContainer
    static void close() throws Exception {
        HUBS.close();
    }

    @Provide
    Arbitrary<Long> ids() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-3, PUBLISHED + 3),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1));
    }

    @Property(tries = 10000)
    void anyIdGetsNothingAResetOrTheEventsAfterItInOrder(@ForAll("ids") long lastEventId) {
        List<ChannelHub.Entry> owed = HUB.poll("pub:replay", lastEventId);
        List<ChannelHub.Entry> events = owed.stream().filter(e -> !e.event().equals("realtime.reset")).toList();
        long resets = owed.size() - events.size();

        assertThat(resets).isLessThanOrEqualTo(1);
        if (resets == 1) {
            assertThat(owed.get(0).event()).as("the reset comes first").isEqualTo("realtime.reset");
            assertThat(HubFixture.json(owed.get(0).data()).get("lastKnownId").asLong()).isEqualTo(lastEventId);
        }
        if (lastEventId >= PUBLISHED) {
            assertThat(events).isEmpty();
            assertThat(resets).isEqualTo(lastEventId > PUBLISHED ? 1 : 0);
        } else {
            long from = Math.max(lastEventId + 1, PUBLISHED - RING + 1);
            assertThat(events).extracting(ChannelHub.Entry::id)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(from, PUBLISHED).boxed().toList());
            assertThat(resets).isEqualTo(lastEventId > 0 && lastEventId < PUBLISHED - RING ? 1 : 0);
        }
    }

    @Property(tries = 10000)
    void aChannelNobodyUsedOwesNothingOrAResetForAnyId(@ForAll("ids") long lastEventId, @ForAll("names") String name) {
        List<ChannelHub.Entry> owed = HUB.poll(name, lastEventId);
        assertThat(owed).hasSize(lastEventId > 0 ? 1 : 0);
        assertThat(owed).allMatch(e -> e.event().equals("realtime.reset"));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).map(s -> "pub:never-" + s);
    }

}
