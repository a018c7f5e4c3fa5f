package io.herald.bench;

import io.herald.yjs.Content;
import io.herald.yjs.DeleteSet;
import io.herald.yjs.Id;
import io.herald.yjs.Parent;
import io.herald.yjs.Struct;
import io.herald.yjs.YUpdate;
import io.herald.yjs.Yjs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Yjs codec operations a {@code YjsRoom} runs on its document, on documents of {@code structs} structs:
 * <ul>
 *   <li>{@link #merge}: the room's compaction, the document merged with {@value #INCREMENTS} pending one-Item
 *       updates ({@code rooms.yjs.compactAfter}'s default);</li>
 *   <li>{@link #diffNewClient}: sync step 2 for a client with an empty state vector (the whole document);</li>
 *   <li>{@link #diffCaughtUp}: sync step 2 for a reconnecting client that lacks only its peers' last few edits;</li>
 *   <li>{@link #stateVectorFromUpdate}: the room's sync step 1, sent on every connect.</li>
 * </ul>
 * The document is generated deterministically with the codec's own model and {@link Yjs#encode}: {@value #CLIENTS}
 * clients typing into one {@code Y.Text}, one Item of 1–4 characters per keystroke, each continuing its client's
 * previous Item (every 8th also with a right origin, as an insert in the middle has), and every 20th Item deleted
 * (the delete set). That is what a server holds when it only ever merges clients' updates: format-level merge never
 * joins Items, so one struct per update.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class YjsBenchmark {
    static final int CLIENTS = 4;
    static final int INCREMENTS = 64;
    /** Each client's last this-many Items are what a caught-up client lacks. */
    static final int BEHIND_PER_CLIENT = 4;

    @Param({"1000", "10000", "100000"})
    public int structs;

    private final Yjs yjs = Yjs.withDefaults();
    private byte[] document;
    private List<byte[]> compaction;
    private byte[] emptyStateVector;
    private byte[] behindStateVector;

    @Setup
    public void setup() {
        Random random = new Random(20261123L);
        long[] clients = new long[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = 1_000_000_000L + random.nextInt(1_000_000_000);
        }
        Arrays.sort(clients);
        reverse(clients); // yjs writes client blocks in descending client order
        long[] end = new long[CLIENTS];
        Map<Long, Long> behind = new LinkedHashMap<>();
        List<Struct> all = new ArrayList<>(structs);
        List<DeleteSet.ClientDeletes> deletes = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int count = structs / CLIENTS + (c < structs % CLIENTS ? 1 : 0);
            List<DeleteSet.Range> ranges = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                Struct.Item item = item(random, clients, c, end[c], k % 8 == 7);
                all.add(item);
                if (k % 20 == 19) {
                    ranges.add(new DeleteSet.Range(item.clock(), item.length()));
                }
                if (k == count - BEHIND_PER_CLIENT) {
                    behind.put(clients[c], item.clock());
                }
                end[c] = item.end();
            }
            deletes.add(new DeleteSet.ClientDeletes(clients[c], ranges));
        }
        document = yjs.encode(new YUpdate(all, new DeleteSet(deletes)));

        compaction = new ArrayList<>(INCREMENTS + 1);
        compaction.add(document);
        for (int i = 0; i < INCREMENTS; i++) {
            int c = i % CLIENTS;
            Struct.Item item = item(random, clients, c, end[c], false);
            end[c] = item.end();
            compaction.add(yjs.encode(new YUpdate(List.of(item), DeleteSet.EMPTY)));
        }
        emptyStateVector = yjs.encodeStateVector(Map.of());
        behindStateVector = yjs.encodeStateVector(behind);

        // The operations must do what they claim before they are timed.
        require("document", yjs.decode(document).structs().size(), structs);
        require("merge", yjs.decode(merge()).structs().size(), structs + INCREMENTS);
        require("diffNewClient", yjs.decode(diffNewClient()).structs().size(), structs);
        require("diffCaughtUp", yjs.decode(diffCaughtUp()).structs().size(), BEHIND_PER_CLIENT * CLIENTS);
        require("stateVectorFromUpdate", yjs.decodeStateVector(stateVectorFromUpdate()).size(), CLIENTS);
    }

    /** The next keystroke of client {@code c}: 1–4 letters at {@code clock}, after its previous Item. */
    private static Struct.Item item(Random random, long[] clients, int c, long clock, boolean withRightOrigin) {
        char[] text = new char[1 + random.nextInt(4)];
        for (int i = 0; i < text.length; i++) {
            text[i] = (char) ('a' + random.nextInt(26));
        }
        long client = clients[c];
        Optional<Id> origin;
        Optional<Parent> parent = Optional.empty();
        if (clock > 0) {
            origin = Optional.of(new Id(client, clock - 1));
        } else if (c > 0) {
            origin = Optional.of(new Id(clients[0], 0)); // starts typing after the first client's first character
        } else {
            origin = Optional.empty();
            parent = Optional.of(new Parent.Root("text"));
        }
        Optional<Id> rightOrigin = withRightOrigin
                ? Optional.of(new Id(clients[(c + 1) % CLIENTS], random.nextInt(8))) : Optional.empty();
        return new Struct.Item(client, clock, origin, rightOrigin, parent, Optional.empty(), new Content.Str(new String(text)));
    }

    private static void reverse(long[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void require(String what, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " where " + expected + " were expected");
        }
    }

    /** Compaction: the document and {@value #INCREMENTS} one-Item updates into one update. */
    @Benchmark
    public byte[] merge() {
        return yjs.merge(compaction);
    }

    /** Sync step 2 for a fresh client: everything. */
    @Benchmark
    public byte[] diffNewClient() {
        return yjs.diff(document, emptyStateVector);
    }

    /** Sync step 2 for a client lacking each peer's last {@value #BEHIND_PER_CLIENT} Items. */
    @Benchmark
    public byte[] diffCaughtUp() {
        return yjs.diff(document, behindStateVector);
    }

    /** Sync step 1: the state vector the document proves. */
    @Benchmark
    public byte[] stateVectorFromUpdate() {
        return yjs.stateVectorFromUpdate(document);
    }
}
