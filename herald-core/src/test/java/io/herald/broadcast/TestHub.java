package io.herald.broadcast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Meters;
import io.herald.cluster.InMemoryBroker;
import io.herald.config.BroadcastConfig;
import io.herald.config.BroadcastConfig.Mask;
import io.herald.config.BroadcastConfig.Show;
import io.herald.config.BroadcastConfig.TableConfig;
import io.herald.config.MaskType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link BroadcastHub} on a real {@link InMemoryBroker} with the tables of the tests, plus the
 * fake event loops and recording connections that subscribe to it. Close it after each test.
 */
final class TestHub implements AutoCloseable {
    /** The example table: a role filter, a projection and an SSN only owners see. */
    static final TableConfig APPLICATIONS = new TableConfig(null, null, null,
            List.of("recruiter", "hiring-manager", "owner"), List.of("id", "candidateId", "stage", "ssn"),
            Map.of("ssn", new Mask(MaskType.SSN, new Show(List.of("owner")))), null);

    static BroadcastConfig config() {
        Map<String, Mask> candidateMasks = new LinkedHashMap<>();
        candidateMasks.put("email", new Mask(MaskType.EMAIL, new Show(List.of("owner"))));
        candidateMasks.put("phone", new Mask(MaskType.PHONE, null));
        candidateMasks.put("name", new Mask(MaskType.NAME, null));
        candidateMasks.put("notes", new Mask(MaskType.REDACT, null));
        return BroadcastConfig.defaults()
                .withTables(Map.of(
                        "applications", APPLICATIONS,
                        "candidates", new TableConfig(null, null, null, null, null, candidateMasks, "hr"),
                        "notes", TableConfig.allDefaults(),
                        "archive", new TableConfig(true, false, false, null, null, null, null)))
                .withNamespaces(Map.of("screening", List.of("started", "progress", "complete")));
    }

    final ObjectMapper json = new ObjectMapper();
    final InMemoryBroker broker = new InMemoryBroker();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Meters meters = new Meters(registry);
    final BroadcastHub hub;
    private final List<ExecutorService> loops = new ArrayList<>();

    TestHub() {
        this(config());
    }

    TestHub(BroadcastConfig config) {
        this.hub = new BroadcastHub(config, broker, meters, json);
    }

    /** A fake event loop: one thread, named {@code name}. */
    ExecutorService newLoop(String name) {
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        loops.add(loop);
        return loop;
    }

    /** A connection on the calling thread's "loop", subscribed to {@code scopeKey}. */
    RecordingConnection connect(String scopeKey, String userId, String... roles) {
        return connect(Runnable::run, scopeKey, userId, roles);
    }

    RecordingConnection connect(java.util.concurrent.Executor loop, String scopeKey, String userId, String... roles) {
        RecordingConnection c = new RecordingConnection(loop);
        c.registration = hub.subscribe(scopeKey, userId, List.of(roles), c);
        return c;
    }

    JsonNode node(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    PublishResult change(Target target, String table, ChangeEvent.Type type, String newRow, String oldRow) throws Exception {
        return hub.publish(new ChangeEvent(table, type, newRow == null ? null : node(newRow), oldRow == null ? null : node(oldRow),
                target)).get(10, TimeUnit.SECONDS);
    }

    PublishResult broadcast(Target target, String event, String payload, String... targetRoles) throws Exception {
        return hub.publish(new BroadcastEvent(event, node(payload), target, List.of(targetRoles))).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            for (ExecutorService loop : loops) {
                loop.shutdownNow();
                loop.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            broker.close();
        }
    }
}
