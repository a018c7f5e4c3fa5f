package io.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Meters;
import io.herald.bench.cdc.BenchCdc;
import io.herald.bench.cdc.PgOutputRecording;
import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.Target;
import io.herald.cluster.Broker;
import io.herald.cluster.InMemoryBroker;
import io.herald.config.BroadcastConfig;
import io.herald.config.BroadcastConfig.Mask;
import io.herald.config.BroadcastConfig.Show;
import io.herald.config.BroadcastConfig.TableConfig;
import io.herald.config.CdcConfig;
import io.herald.config.MaskType;
import io.herald.postgres.cdc.ChangeDecoder;
import io.herald.postgres.cdc.PgOutput;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Change capture on one core, without the database or sockets: a recorded pgoutput stream
 * ({@link PgOutputRecording}: 1 000 row changes of {@code bench_cdc} from a real slot, 600 inserts, 300
 * updates, 100 deletes in 100 transactions) replayed through what the slot reader does with each
 * message. One operation is one row change, so the score is row changes per second on one thread.
 *
 * <ul>
 *   <li>{@link #decode}: {@link PgOutput#read} of every message (begins, relation, rows, commits);</li>
 *   <li>{@link #decodeAndMap}: the same through {@link ChangeDecoder}, which also maps each row to its
 *       postgres_changes event as the reader does (values to JSON by type, the organization from
 *       {@code org_id});</li>
 *   <li>{@link #decodeMaskFanout}: and then {@link BroadcastHub#publishOnce} of each event under the
 *       reader's key, one change per call as the reader makes them when its broker answers at once:
 *       {@link InMemoryBroker} keeps it in the scope's history and delivers it, the hub decides the role
 *       filter and masks per role set, encodes each of the 5 variants once and hands the bytes to
 *       {@code subscribers} counting connections on a direct executor (as {@link FanoutEncodingBenchmark}).</li>
 * </ul>
 *
 * <p>The table's rules are those of {@code bench-cdc.yaml}: five masked fields, each shown to one of
 * roles {@code role0..role4}; the subscribers hold those roles round-robin, so every row change is
 * encoded in 5 variants once {@code subscribers} ≥ 5. The rows go to one organization, where all the
 * subscribers are: {@code subscribers} is the fan-out of every row change.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// longer than the other classes: the full path is much code, and 3 × 1 s left it half compiled
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class CdcPipelineBenchmark {
    /** Row changes in the recording; the setup checks it. */
    public static final int ROW_CHANGES = 1000;
    static final String SOURCE = "cdc-bench";
    static final String ORG = "org_bench";
    static final List<String> ROLES = List.of("role0", "role1", "role2", "role3", "role4");

    /** The recording and a decoder of it: the decode-only benchmarks need nothing else. */
    @State(Scope.Thread)
    public static class Stream {
        List<ByteBuffer> messages;
        ChangeDecoder decoder;

        @Setup(Level.Trial)
        public void load() {
            messages = PgOutputRecording.load();
            decoder = decoder();
            int rows = 0;
            for (ByteBuffer m : messages) {
                ChangeDecoder.Change c = decoder.next(m);
                if (c != null) {
                    if (c.event() == null) {
                        throw new IllegalStateException("the recording has a row the reader would skip: " + c.skipped());
                    }
                    rows++;
                }
            }
            if (rows != ROW_CHANGES) {
                throw new IllegalStateException("the recording has " + rows + " row changes, not " + ROW_CHANGES);
            }
        }
    }

    /** A node: the hub with the table's rules, an in-memory broker, and {@code subscribers} connections in the rows' organization. */
    @State(Scope.Thread)
    public static class Node {
        @Param({"5", "1000"})
        public int subscribers;

        BroadcastHub hub;
        InMemoryBroker broker;
        final List<BroadcastHub.Registration> registrations = new ArrayList<>();
        final List<FanoutEncodingBenchmark.CountingConnection> connections = new ArrayList<>();
        /** Replays so far: each one's keys are above the last one's, as a stream's keys only grow. */
        long replay;

        @Setup(Level.Trial)
        public void start(Stream stream) {
            broker = new InMemoryBroker();
            hub = new BroadcastHub(config(), broker, new Meters(new SimpleMeterRegistry()), new ObjectMapper());
            for (int i = 0; i < subscribers; i++) {
                FanoutEncodingBenchmark.CountingConnection c = new FanoutEncodingBenchmark.CountingConnection("c" + i);
                connections.add(c);
                registrations.add(hub.subscribe(Target.orgScope(ORG), "user_" + i, List.of(ROLES.get(i % ROLES.size())), c));
            }
            // the path must deliver every row change to every subscriber, in one encoding per variant
            long encodings = hub.encodings();
            replay(this, stream);
            long sends = connections.stream().mapToLong(c -> c.messages).sum();
            long made = hub.encodings() - encodings;
            int variants = Math.min(subscribers, ROLES.size());
            if (sends != (long) ROW_CHANGES * subscribers || made > (long) ROW_CHANGES * variants) {
                throw new IllegalStateException("one replay made " + sends + " sends and " + made + " encodings for " + ROW_CHANGES
                        + " row changes, " + subscribers + " subscribers, " + variants + " variants");
            }
            System.out.printf("%n# one replay: %d row changes, %d sends, %d encodings (%.2f per row change)%n",
                    ROW_CHANGES, sends, made, (double) made / ROW_CHANGES);
        }

        @TearDown(Level.Trial)
        public void stop() {
            registrations.forEach(BroadcastHub.Registration::close);
            broker.close();
        }
    }

    /** The slot reader's decoder for {@code bench_cdc}, routed by {@code org_id}. */
    static ChangeDecoder decoder() {
        return new ChangeDecoder(Map.of("public." + BenchCdc.TABLE, new CdcConfig.Source("org_id", null, null)));
    }

    /** {@code bench-cdc.yaml}'s rules for the table: each masked field shown unmasked to one role. */
    static BroadcastConfig config() {
        Map<String, Mask> masks = new LinkedHashMap<>();
        masks.put("ssn", new Mask(MaskType.SSN, new Show(List.of("role0"))));
        masks.put("email", new Mask(MaskType.EMAIL, new Show(List.of("role1"))));
        masks.put("phone", new Mask(MaskType.PHONE, new Show(List.of("role2"))));
        masks.put("name", new Mask(MaskType.NAME, new Show(List.of("role3"))));
        masks.put("notes", new Mask(MaskType.REDACT, new Show(List.of("role4"))));
        TableConfig table = new TableConfig(null, null, null, null, null, masks, null);
        return BroadcastConfig.defaults().withTables(Map.of(BenchCdc.TABLE, table));
    }

    /** One replay of the recording through decode, mapping and {@code publishOnce}, keyed as the slot reader keys. */
    static void replay(Node node, Stream stream) {
        long offset = ++node.replay << 40;
        for (ByteBuffer m : stream.messages) {
            ChangeDecoder.Change c = stream.decoder.next(m);
            if (c != null && c.event() != null) {
                String key = String.format("%016x%08x", offset + c.commitLsn(), c.index());
                node.hub.publishOnce(SOURCE, c.event().target().scopeKey(), List.of(new Broker.Keyed<>(c.event(), key))).join();
            }
        }
    }

    /** pgoutput decoding alone. */
    @Benchmark
    @OperationsPerInvocation(ROW_CHANGES)
    public void decode(Stream stream, Blackhole bh) {
        for (ByteBuffer m : stream.messages) {
            bh.consume(PgOutput.read(m));
        }
    }

    /** Decoding and the row → postgres_changes event mapping. */
    @Benchmark
    @OperationsPerInvocation(ROW_CHANGES)
    public void decodeAndMap(Stream stream, Blackhole bh) {
        for (ByteBuffer m : stream.messages) {
            bh.consume(stream.decoder.next(m));
        }
    }

    /** Decoding, mapping, the table's rules per role set, one encoding per variant, and the sends to {@code subscribers}. */
    @Benchmark
    @OperationsPerInvocation(ROW_CHANGES)
    public void decodeMaskFanout(Node node, Stream stream) {
        replay(node, stream);
    }
}
