package io.herald.server.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cluster.ForwardingBroker;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A lane socket's replies wait until its lane receives publishes from every node: on a broker whose
 * subscriptions take effect later (Redis), {@code subscribed} and the pong after it must not promise
 * envelopes that another node's publish could still miss. The broker here is the in-memory one with
 * that moment held by the test.
 */
class LaneReadyTest {

    /** The in-memory broker whose subscriptions are "ready" only when the test says so. */
    static final class HeldReady extends ForwardingBroker {
        final CompletableFuture<Void> ready = new CompletableFuture<>();

        @Override
        public CompletableFuture<Void> ready(String topic) {
            return topic.startsWith("lane") ? ready : CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void repliesWaitUntilTheLaneReceivesFromEveryNodeAndKeepTheirOrder() {
        HeldReady broker = new HeldReady();
        try (TestServer server = TestServer.start(TestServer.config(""), b -> b.broker(broker))) {
            WsClient lane = server.openSilently("/lanes/v1/websocket?token=" + TestServer.jwt("u_ready", "org_1"));
            lane.send("{\"type\":\"subscribe\",\"filters\":[{\"type\":\"chat\"}]}");
            lane.send("ping");
            lane.assertNothingMore();

            broker.ready.complete(null);
            assertThat(lane.nextJson().get("type").asText()).isEqualTo("subscribed");
            assertThat(lane.next()).isEqualTo("pong");
            // from then on replies go out at once
            lane.send("ping");
            assertThat(lane.next()).isEqualTo("pong");
        }
    }
}
