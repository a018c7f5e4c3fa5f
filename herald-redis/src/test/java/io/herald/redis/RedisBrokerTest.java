package io.herald.redis;

import io.herald.cluster.Broker;
import io.herald.cluster.BrokerContract;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The broker contract on real Redis, once per topology (the subclasses). Each test gets a broker with
 * its own key prefix, so the tests of a class share the servers without seeing each other's topics.
 */
abstract class RedisBrokerTest extends BrokerContract {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static Vertx vertx;

    abstract RedisProcesses redis();

    abstract RedisConfig.Topology topology();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    protected Broker newBroker() throws Exception {
        String prefix = "contract" + PREFIXES.incrementAndGet();
        RedisConfig config = new RedisConfig(topology(), redis().urls(), prefix, RedisConfig.DEFAULT_META_TTL, 8, 4096);
        return RedisBroker.builder(vertx, config)
                .backoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500)))
                .start().get(30, TimeUnit.SECONDS);
    }

}
