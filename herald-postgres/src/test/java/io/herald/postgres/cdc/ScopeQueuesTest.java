package io.herald.postgres.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.herald.HeraldException;
import io.herald.ErrorCode;
import io.herald.Meters;
import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.Target;
import io.herald.cluster.Broker;
import io.herald.cluster.ForwardingBroker;
import io.herald.config.BroadcastConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The order keeping of change capture's publishes: per scope one keyed publish in flight and the rest
 * batched behind it, scopes independent, and a failure that stops everything after it (a later key
 * taken before an earlier one would make the broker skip the earlier one on replay).
 */
class ScopeQueuesTest {

    /** The in-memory broker, except that keyed publishes wait until the test completes them. */
    static final class HeldBroker extends ForwardingBroker {
        record Call(String topic, List<String> keys, CompletableFuture<Void> done) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();

        @Override
        public <T> CompletableFuture<Void> publishOnce(String topic, String source, List<Broker.Keyed<T>> messages, Codec<T> codec,
                                                       Retention retention) {
            List<String> keys = new ArrayList<>();
            messages.forEach(m -> keys.add(m.key()));
            CompletableFuture<Void> done = new CompletableFuture<>();
            calls.add(new Call(topic, keys, done));
            return done;
        }
    }

    private final HeldBroker broker = new HeldBroker();
    private final BroadcastHub hub = new BroadcastHub(BroadcastConfig.defaults().withTables(
            Map.of("items", BroadcastConfig.TableConfig.allDefaults())), broker, new Meters(new SimpleMeterRegistry()), new ObjectMapper());
    private final ScopeQueues queues = new ScopeQueues(hub, "cdc-test");

    private static ChangeEvent row(String org, int id) {
        return new ChangeEvent("items", ChangeEvent.Type.INSERT, JsonNodeFactory.instance.objectNode().put("id", id), null,
                Target.organization(org), "public", List.of());
    }

    @Test
    void aScopeHasOnePublishInFlightAndWhatQueuedMeanwhileGoesAsTheNextBatch() {
        CompletableFuture<Void> first = queues.add(row("a", 1), "01");
        CompletableFuture<Void> second = queues.add(row("a", 2), "02");
        CompletableFuture<Void> third = queues.add(row("a", 3), "03");
        CompletableFuture<Void> otherScope = queues.add(row("b", 1), "04");

        assertThat(broker.calls).extracting(HeldBroker.Call::keys).containsExactly(List.of("01"), List.of("04"));
        assertThat(queues.size()).isEqualTo(4);

        broker.calls.get(0).done().complete(null);
        assertThat(first).isCompleted();
        assertThat(second).isNotDone();
        assertThat(broker.calls).extracting(HeldBroker.Call::keys).containsExactly(List.of("01"), List.of("04"), List.of("02", "03"));
        assertThat(broker.calls.get(2).topic()).isEqualTo("broadcast/org:a");

        broker.calls.get(2).done().complete(null);
        broker.calls.get(1).done().complete(null);
        assertThat(List.of(second, third, otherScope)).allMatch(CompletableFuture::isDone).noneMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(queues.size()).isZero();
    }

    @Test
    void aFailedPublishFailsWhatWaitsBehindItAndEverythingAddedLater() {
        CompletableFuture<Void> first = queues.add(row("a", 1), "01");
        CompletableFuture<Void> waiting = queues.add(row("a", 2), "02");
        CompletableFuture<Void> otherInFlight = queues.add(row("b", 1), "03");

        broker.calls.get(0).done().completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "down"));

        assertThat(first).isCompletedExceptionally();
        assertThat(waiting).as("never sent after a publish that may have been taken in part").isCompletedExceptionally();
        assertThat(broker.calls).hasSize(2);
        assertThat(queues.add(row("c", 1), "04")).isCompletedExceptionally();
        assertThat(broker.calls).as("nothing more is published").hasSize(2);

        // what was in flight elsewhere still completes as the broker says
        broker.calls.get(1).done().complete(null);
        assertThat(otherInFlight).isCompleted();
    }

    @Test
    void keysAreFixedWidthHexInLogOrder() {
        assertThat(PostgresCdc.key(0x1A2B3C4DL, 5)).isEqualTo("000000001a2b3c4d00000005");
        assertThat(PostgresCdc.key(-1L, -1)).isEqualTo("ffffffffffffffffffffffff");
        assertThat(PostgresCdc.key(0x100L, 0).compareTo(PostgresCdc.key(0xFFL, 0x7fffffff))).isPositive();
        assertThat(PostgresCdc.key(0x100L, 10).compareTo(PostgresCdc.key(0x100L, 9))).isPositive();
    }
}
