package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.Meters;
import io.herald.broadcast.BroadcastEvent;
import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.PublishResult;
import io.herald.broadcast.Target;
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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-publish cost of the Broadcast fan-out on one node, through the real path: {@link BroadcastHub#publish}
 * → envelope encoded for the broker → {@link InMemoryBroker} → envelope decoded → per role set the filter and
 * the visible-field mask decided once → each distinct variant masked and encoded once → the per-subscriber loop
 * handing the shared bytes to every connection. Connections live on one direct executor ({@code Runnable::run}),
 * so the whole fan-out runs on the benchmark thread and no socket is written: what is left is Herald's own work.
 *
 * <p>{@code roleSets} distinct role sets are spread round-robin over {@code subscribers} connections; for a
 * postgres_changes event each role set sees a different set of masked fields, so {@code roleSets} variants are
 * encoded per publish. The broadcast event is one variant for everyone (no masking), decided per role set.
 * Run with {@code -prof gc}: allocation per publish is a headline number, and with a direct executor it should
 * not grow with {@code subscribers} (compare {@code -p subscribers=1,1000}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class FanoutEncodingBenchmark {
    /** One event loop for every connection, as {@link Connection#executor()} requires: one shared object. */
    private static final Executor DIRECT = Runnable::run;
    private static final String TABLE = "candidates";
    private static final String ORG = "org_bench";
    /** Each role but the first sees one masked field unmasked, so K role sets make K distinct variants. */
    private static final List<String> ROLES = List.of("viewer", "owner", "recruiter", "hr", "manager");

    @Param({"1000"})
    public int subscribers;

    @Param({"1", "5"})
    public int roleSets;

    private BroadcastHub hub;
    private InMemoryBroker broker;
    private final List<BroadcastHub.Registration> registrations = new ArrayList<>();
    private ChangeEvent change;
    private BroadcastEvent broadcast;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        if (roleSets < 1 || roleSets > ROLES.size()) {
            throw new IllegalArgumentException("roleSets must be 1.." + ROLES.size());
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Mask> masks = new LinkedHashMap<>();
        masks.put("email", new Mask(MaskType.EMAIL, new Show(List.of("owner"))));
        masks.put("phone", new Mask(MaskType.PHONE, new Show(List.of("recruiter"))));
        masks.put("ssn", new Mask(MaskType.SSN, new Show(List.of("hr"))));
        masks.put("name", new Mask(MaskType.NAME, new Show(List.of("manager"))));
        masks.put("notes", new Mask(MaskType.REDACT, null));
        TableConfig candidates = new TableConfig(null, null, null, ROLES,
                List.of("id", "name", "email", "phone", "ssn", "stage", "score", "notes", "updatedAt"), masks, "hr");
        BroadcastConfig config = BroadcastConfig.defaults().withTables(Map.of(TABLE, candidates));
        broker = new InMemoryBroker();
        hub = new BroadcastHub(config, broker, new Meters(new SimpleMeterRegistry()), json);

        String scope = Target.orgScope(ORG);
        for (int i = 0; i < subscribers; i++) {
            registrations.add(hub.subscribe(scope, "user_" + i, List.of(ROLES.get(i % roleSets)),
                    new CountingConnection("c" + i)));
        }

        // A row as a CDC pipeline posts it: about 300 bytes per image, one field outside the projection.
        JsonNode newRow = json.readTree("{\"id\":\"cand_0001\",\"name\":\"Jane Doe\",\"email\":\"jane.doe@example.com\","
                + "\"phone\":\"+1 415-555-0132\",\"ssn\":\"123-45-6789\",\"stage\":\"onsite\",\"score\":87.5,"
                + "\"notes\":\"Strong on systems design; follow up on references.\",\"internal\":\"not projected\","
                + "\"updatedAt\":\"2026-11-23T16:00:00.000Z\"}");
        JsonNode oldRow = json.readTree("{\"id\":\"cand_0001\",\"name\":\"Jane Doe\",\"email\":\"jane.doe@example.com\","
                + "\"phone\":\"+1 415-555-0132\",\"ssn\":\"123-45-6789\",\"stage\":\"phone-screen\",\"score\":81.0,"
                + "\"notes\":\"Strong on systems design.\",\"internal\":\"not projected\","
                + "\"updatedAt\":\"2026-11-22T09:30:00.000Z\"}");
        change = new ChangeEvent(TABLE, ChangeEvent.Type.UPDATE, newRow, oldRow, Target.organization(ORG));
        broadcast = new BroadcastEvent("cursor-moved",
                json.readTree("{\"userId\":\"user_42\",\"x\":512,\"y\":384,\"color\":\"#3b82f6\",\"ts\":1763913600000}"),
                Target.organization(ORG), List.of());

        // The path must really deliver to everyone, with one encoding per variant.
        check("postgres_changes", this::publishChange, Math.min(roleSets, subscribers));
        check("broadcast", this::publishBroadcast, 1);
    }

    private void check(String what, Supplier<PublishResult> publish, int expectedEncodings) {
        long before = hub.encodings();
        PublishResult r = publish.get();
        long made = hub.encodings() - before;
        if (r.delivered() != subscribers || made != expectedEncodings) {
            throw new IllegalStateException(what + ": delivered " + r.delivered() + " of " + subscribers
                    + ", " + made + " encodings where " + expectedEncodings + " were expected");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registrations.forEach(BroadcastHub.Registration::close);
        broker.close();
    }

    /** One postgres_changes UPDATE: {@code roleSets} masked variants encoded, {@code subscribers} sends. */
    @Benchmark
    public PublishResult publishChange() {
        return hub.publish(change).join();
    }

    /** One broadcast event: a single variant, decided once per role set, {@code subscribers} sends. */
    @Benchmark
    public PublishResult publishBroadcast() {
        return hub.publish(broadcast).join();
    }

    /**
     * A transport that accepts every message and only counts it, as the cheapest possible socket would: the
     * fan-out's own cost is what remains.
     */
    static final class CountingConnection implements Connection {
        private final String id;
        long messages;
        long bytes;

        CountingConnection(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Executor executor() {
            return DIRECT;
        }

        @Override
        public boolean send(EncodedMessage message) {
            messages++;
            bytes += message.length();
            return true;
        }

        @Override
        public void close(int closeCode, String reason) {
        }
    }
}
