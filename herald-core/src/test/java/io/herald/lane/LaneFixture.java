package io.herald.lane;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Meters;
import io.herald.config.LanesConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link LaneHub} with one single-threaded "event loop" shared by every test connection, and
 * shortcuts to join, subscribe and read envelopes. Closing it closes the hub and the loop.
 */
final class LaneFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LOOP_THREAD = "lane-test-loop";

    final ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, LOOP_THREAD));
    final LaneHub hub;

    LaneFixture(LanesConfig config) {
        this.hub = new LaneHub(config, new Meters(new SimpleMeterRegistry()), JSON);
    }

    LaneFixture() {
        this(LanesConfig.defaults());
    }

    /** A config with the defaults except the per-lane pending-ack cap. */
    static LanesConfig withMaxPendingPerLane(int max) {
        return new LanesConfig(null, null, null, null, null, null, null, max);
    }

    /** A new socket of {@code userId} on the shared loop. */
    LaneSocket join(String userId) {
        return hub.join(userId, new RecordingConnection(loop, false));
    }

    /** A new socket of {@code userId} whose sends all fail. */
    LaneSocket joinRefusing(String userId) {
        return hub.join(userId, new RecordingConnection(loop, true));
    }

    /** A socket of {@code userId} subscribed to {@code filtersJson} (a JSON array). */
    LaneSocket subscribed(String userId, String filtersJson) {
        LaneSocket s = join(userId);
        hub.subscribe(s, json(filtersJson));
        return s;
    }

    LaneHub.FilterReply subscribe(LaneSocket s, String filtersJson) {
        return hub.subscribe(s, json(filtersJson));
    }

    LaneHub.FilterReply unsubscribe(LaneSocket s, String filtersJson) {
        return hub.unsubscribe(s, json(filtersJson));
    }

    static RecordingConnection connection(LaneSocket s) {
        return (RecordingConnection) s.connection();
    }

    /** The text of the {@code index}-th message {@code s} received, waiting up to 2 s for it. */
    static String awaitText(LaneSocket s, int index) {
        RecordingConnection c = connection(s);
        await().atMost(Duration.ofSeconds(2)).until(() -> c.received().size() > index);
        return c.texts().get(index);
    }

    /** The {@code index}-th envelope {@code s} received, parsed. */
    static JsonNode awaitEnvelope(LaneSocket s, int index) {
        return json(awaitText(s, index));
    }

    /** The envelope id of the first envelope {@code s} received. */
    static String firstEnvelopeId(LaneSocket s) {
        return awaitEnvelope(s, 0).get("envelopeId").asText();
    }

    /** Waits until every task queued on the loop so far has run: after it, no send of an earlier publish is pending. */
    void drain() {
        try {
            loop.submit(() -> { }).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the loop did not drain", e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    @Override
    public void close() {
        hub.close();
        loop.shutdownNow();
    }
}
