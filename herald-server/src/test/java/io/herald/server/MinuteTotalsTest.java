package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Meters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MinuteTotalsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Meters meters = new Meters(registry);
    private final MinuteTotals totals = new MinuteTotals(registry);

    @Test
    void aMinuteWithTrafficGivesItsOwnCountsThenAQuietMinuteGivesNothing() {
        meters.registerDropCounters();
        meters.connections("broadcast").set(3);
        meters.connections("rooms").set(1);
        meters.published("broadcast");
        meters.published("rooms");
        meters.delivered("broadcast", 40);
        meters.dropped("broadcast", "slow_consumer");
        meters.dropped("lanes", "slow_consumer");

        assertThat(totals.next()).hasValue(
                "last minute: 2 published, 40 delivered, 2 dropped (slow_consumer 2); connections: broadcast 3, rooms 1");
        assertThat(totals.next()).as("nothing happened, nothing changed").isEmpty();

        meters.published("broadcast");
        assertThat(totals.next()).hasValue("last minute: 1 published, 0 delivered, 0 dropped; connections: broadcast 3, rooms 1");
    }

    @Test
    void connectionsThatCameOrWentAreWorthALineEvenWithoutMessages() {
        meters.connections("lanes").set(2);
        assertThat(totals.next()).hasValue("last minute: 0 published, 0 delivered, 0 dropped; connections: lanes 2");

        meters.connections("lanes").set(0);
        assertThat(totals.next()).hasValue("last minute: 0 published, 0 delivered, 0 dropped; connections: none");
        assertThat(totals.next()).isEmpty();
    }

    @Test
    void anIdleServerSaysNothing() {
        meters.registerDropCounters();
        assertThat(totals.next()).isEmpty();
    }
}
