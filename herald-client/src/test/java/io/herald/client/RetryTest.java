package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.ForwardingBroker;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in retry against real refusals: a broker that cannot be reached for a while (503
 * {@code broker_unavailable}) and a lane past its pending limit (429); other errors are not retried.
 */
class RetryTest {
    @TempDir
    static Path dir;
    private static final Flaky BROKER = new Flaky();
    private static TestServer server;

    /** The in-memory broker, refusing the next {@code refusals} publishes with {@code refusal}, and as unavailable as told. */
    static final class Flaky extends ForwardingBroker {
        final AtomicInteger publishes = new AtomicInteger();
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicReference<ErrorCode> refusal = new AtomicReference<>(ErrorCode.BROKER_UNAVAILABLE);
        volatile boolean available = true;

        @Override
        public <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec, Retention retention) {
            publishes.incrementAndGet();
            if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return CompletableFuture.failedFuture(new HeraldException(refusal.get()));
            }
            return super.publish(topic, message, codec, retention);
        }

        @Override
        public boolean available() {
            return available;
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(ClientServers.config(ClientServers.CONFIG + """
                lanes:
                  maxPendingPerLane: 1
                """, dir), b -> b.broker(BROKER));
    }

    @AfterEach
    void reset() {
        BROKER.refusals.set(0);
        BROKER.refusal.set(ErrorCode.BROKER_UNAVAILABLE);
        BROKER.available = true;
        BROKER.publishes.set(0);
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HeraldClient retrying(int attempts) {
        return ClientServers.builder(server).retry(RetryPolicy.backoff(attempts, Duration.ofMillis(20), Duration.ofMillis(200))).build();
    }

    @Test
    void withoutARetryPolicyBrokerUnavailableIsThrownAtOnce() {
        BROKER.refusals.set(1);

        HeraldClientException e = catchThrowableOfType(HeraldClientException.class,
                () -> ClientServers.client(server).broadcast(Broadcast.of("e", 1, Target.organization("org_r"))));

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.error()).hasValue(ErrorCode.BROKER_UNAVAILABLE.code());
        assertThat(RetryPolicy.isRetryable(e)).isTrue();
        assertThat(BROKER.publishes.get()).isEqualTo(1);
    }

    @Test
    void brokerUnavailableIsRetriedUntilThePublishGoesThrough() throws Exception {
        WsClient socket = server.member("u_r", "org_r", "owner");
        BROKER.refusals.set(2);

        BroadcastResult r = retrying(3).broadcast(Broadcast.of("e", 1, Target.organization("org_r")));

        assertThat(r.delivered()).isEqualTo(1);
        assertThat(BROKER.publishes.get()).isEqualTo(3);
        assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":1}");
        socket.assertNothingMore();

        BROKER.refusals.set(2);
        BROKER.publishes.set(0);
        ChannelResult async = retrying(3).publishToChannelAsync("news:retry", "e", 1).get(10, TimeUnit.SECONDS);
        assertThat(async.id()).isPositive(); // this single-node test broker numbers before it refuses: ids 1, 2 went to the refusals
        assertThat(BROKER.publishes.get()).isEqualTo(3);
    }

    @Test
    void theLastRefusalIsThrownWhenTheAttemptsRunOut() throws Exception {
        BROKER.refusals.set(5);

        HeraldClientException sync = catchThrowableOfType(HeraldClientException.class,
                () -> retrying(2).publishChange(Change.insert("applications", Target.organization("org_r"), java.util.Map.of("id", 1))));
        Throwable async = retrying(2).broadcastAsync(Broadcast.of("e", 1, Target.organization("org_r"))).handle((v, x) -> x).get(10, TimeUnit.SECONDS);

        assertThat(sync.error()).hasValue(ErrorCode.BROKER_UNAVAILABLE.code());
        assertThat(async).isInstanceOfSatisfying(HeraldClientException.class,
                e -> assertThat(e.error()).hasValue(ErrorCode.BROKER_UNAVAILABLE.code()));
        assertThat(BROKER.publishes.get()).isEqualTo(4);
    }

    @Test
    void anotherServiceUnavailableIsNotRetried() {
        BROKER.refusals.set(5);
        BROKER.refusal.set(ErrorCode.UNAVAILABLE);

        HeraldClientException e = catchThrowableOfType(HeraldClientException.class,
                () -> retrying(5).broadcast(Broadcast.of("e", 1, Target.organization("org_r"))));

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.error()).hasValue(ErrorCode.UNAVAILABLE.code());
        assertThat(BROKER.publishes.get()).isEqualTo(1);
    }

    @Test
    void aWrongTokenIsNotRetried() {
        double before = server.counter("herald.auth.failures", "reason", "invalid_credentials");

        HeraldClientException e = catchThrowableOfType(HeraldClientException.class, () -> ClientServers.builder(server)
                .accessToken("wrong-token-0123456789abcdefghijklmnop")
                .retry(RetryPolicy.backoff(5, Duration.ofMillis(10), Duration.ofMillis(10))).build()
                .broadcast(Broadcast.of("e", 1, Target.organization("org_r"))));

        assertThat(e.status()).isEqualTo(401);
        assertThat(server.counter("herald.auth.failures", "reason", "invalid_credentials") - before).isEqualTo(1);
    }

    @Test
    void aLanePastItsPendingLimitIs429AndIsRetriedUntilTheEarlierPublishAnswered() throws Exception {
        WsClient socket = LanePublishTest.laneSocket(server, "/lanes/v1", "u_pending");
        HeraldClient client = ClientServers.client(server);
        // the socket never acks: the first publish holds the lane's one pending slot for its timeout
        CompletableFuture<LaneResult<com.fasterxml.jackson.databind.JsonNode>> first = client.publishToLaneAsync(
                LaneMessage.of("u_pending", "chat_message", 1).withTimeout(Duration.ofSeconds(3)));
        socket.nextJson();

        HeraldClientException refused = catchThrowableOfType(HeraldClientException.class,
                () -> client.publishToLane(LaneMessage.of("u_pending", "chat_message", 2).withTimeout(Duration.ofMillis(100))));
        // up to 100 attempts, at most 200 ms apart: seconds of retrying, past the first publish's 3 s
        LaneResult<?> second = retrying(100).publishToLane(LaneMessage.of("u_pending", "chat_message", 3).withTimeout(Duration.ofMillis(100)));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.error()).hasValue(ErrorCode.TOO_MANY_REQUESTS.code());
        assertThat(first.get(10, TimeUnit.SECONDS).unacknowledged()).as("the first publish answered at its timeout").isEqualTo(1);
        assertThat(second.clientCount()).isEqualTo(1);
        assertThat(socket.nextJson().get("payload").asInt()).isEqualTo(3);
    }

    @Test
    void readinessReportsAnUnreachableBrokerAsA503StatusNotAnException() {
        BROKER.available = false;

        NodeStatus ready = ClientServers.client(server).readiness();

        assertThat(ready.isOk()).isFalse();
        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(ready.error()).hasValue(ErrorCode.BROKER_UNAVAILABLE.code());
        assertThat(ready.message()).isPresent();
        assertThat(ready.status()).isEmpty();
    }
}
