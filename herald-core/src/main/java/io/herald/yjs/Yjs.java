package io.herald.yjs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Yjs v1 update operations a server needs without a CRDT document: {@link #merge},
 * {@link #diff} and {@link #stateVectorFromUpdate}, plus state-vector and update (de)serialization.
 * Outputs are byte-identical to yjs 13.6 ({@code Y.mergeUpdates}, {@code Y.diffUpdate},
 * {@code Y.encodeStateVectorFromUpdate}) for updates written by yjs; the algorithms are those of
 * yjs's own {@code src/utils/updates.js}.
 *
 * <p>Thread-safe and stateless apart from its immutable {@link YjsLimits}; every call is
 * synchronous and CPU-bound (linear in the input, times the number of inputs for merge).
 * Malformed, truncated or over-limit input fails with {@link YjsFormatException} and nothing else.
 * State vectors are maps from client id to the next expected clock; ids are unsigned 32-bit
 * values held in a {@code long}.
 */
public final class Yjs {
    private static final byte[] EMPTY_UPDATE = {0, 0};

    private final YjsLimits limits;

    public Yjs(YjsLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A codec with {@link YjsLimits#DEFAULTS}. */
    public static Yjs withDefaults() {
        return new Yjs(YjsLimits.DEFAULTS);
    }

    public YjsLimits limits() {
        return limits;
    }

    /**
     * Merges updates into one ({@code Y.mergeUpdates}, spec 6.4). One input is returned unchanged
     * (a copy, not validated, as yjs does); none gives the empty update {@code 00 00}.
     */
    public byte[] merge(List<byte[]> updates) {
        if (updates.isEmpty()) {
            return EMPTY_UPDATE.clone();
        }
        return UpdateMerger.merge(updates, limits);
    }

    /**
     * The part of {@code update} a peer with {@code stateVector} lacks ({@code Y.diffUpdate},
     * spec 6.6). The whole delete set is always included.
     */
    public byte[] diff(byte[] update, byte[] stateVector) {
        Map<Long, Long> sv = decodeStateVector(stateVector);
        StructReader reader = new StructReader(new Lib0Decoder(update, limits), false);
        BlockWriter out = new BlockWriter(false);
        while (reader.current() != null) {
            Struct c = reader.current();
            long known = sv.getOrDefault(c.client(), 0L);
            if (c instanceof Struct.Skip) {
                reader.next();
            } else if (c.end() > known) {
                out.write(c, Math.max(known - c.clock(), 0));
                // Everything after the first new struct of this client is copied, Skips included.
                for (Struct n = reader.next(); n != null && n.client() == c.client(); n = reader.next()) {
                    out.write(n, 0);
                }
            } else {
                Struct n = c;
                while (n != null && n.client() == c.client() && n.end() <= known) {
                    n = reader.next();
                }
            }
        }
        DeleteSetCodec.Ranges ds = new DeleteSetCodec.Ranges();
        DeleteSetCodec.read(reader.decoder(), ds);
        return out.finish(ds);
    }

    /**
     * The state vector an update proves ({@code Y.encodeStateVectorFromUpdate}, spec 6.7): per
     * client run, in update order, the end of its structs up to the first Skip, and only for runs
     * that start at clock 0. The delete set is not read.
     */
    public byte[] stateVectorFromUpdate(byte[] update) {
        StructReader reader = new StructReader(new Lib0Decoder(update, limits), false);
        List<long[]> pairs = new ArrayList<>();
        Struct s = reader.current();
        if (s != null) {
            long client = s.client();
            boolean stopped = s.clock() != 0;
            // yjs counts the update's very first struct before it checks for a Skip, so a
            // leading Skip at clock 0 still contributes its end; later runs do not (node-checked).
            long clock = stopped ? 0 : s.end();
            for (; s != null; s = reader.next()) {
                if (s.client() != client) {
                    if (clock != 0) {
                        pairs.add(new long[] {client, clock});
                    }
                    client = s.client();
                    clock = 0;
                    stopped = s.clock() != 0;
                }
                if (s instanceof Struct.Skip) {
                    stopped = true;
                }
                if (!stopped) {
                    clock = s.end();
                }
            }
            if (clock != 0) {
                pairs.add(new long[] {client, clock});
            }
        }
        Lib0Encoder e = new Lib0Encoder(1 + 16 * pairs.size());
        e.writeVarUint(pairs.size());
        for (long[] p : pairs) {
            e.writeVarUint(p[0]);
            e.writeVarUint(p[1]);
        }
        return e.toByteArray();
    }

    /** Writes a state vector in yjs's order (descending client id). */
    public byte[] encodeStateVector(Map<Long, Long> stateVector) {
        List<Long> clients = new ArrayList<>(stateVector.keySet());
        clients.sort((a, b) -> Long.compare(b, a));
        Lib0Encoder e = new Lib0Encoder(1 + 16 * clients.size());
        e.writeVarUint(clients.size());
        for (long client : clients) {
            long clock = stateVector.get(client);
            Structs.requireClock("client", client);
            Structs.requireClock("clock", clock);
            e.writeVarUint(client);
            e.writeVarUint(clock);
        }
        return e.toByteArray();
    }

    /**
     * Reads a state vector. Entries keep their first position; a repeated client takes its last
     * clock, as in yjs. The result is unmodifiable.
     */
    public Map<Long, Long> decodeStateVector(byte[] stateVector) {
        Lib0Decoder d = new Lib0Decoder(stateVector, limits);
        int n = d.readCount("state vector entry");
        Map<Long, Long> sv = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            long client = d.readVarUint();
            sv.put(client, d.readVarUint());
        }
        return Collections.unmodifiableMap(sv);
    }

    /** Decodes a whole update into the model: structs in wire order (Skips included) and delete set. */
    public YUpdate decode(byte[] update) {
        StructReader reader = new StructReader(new Lib0Decoder(update, limits), false);
        List<Struct> structs = new ArrayList<>();
        for (Struct s = reader.current(); s != null; s = reader.next()) {
            structs.add(s);
        }
        DeleteSetCodec.Ranges ds = new DeleteSetCodec.Ranges();
        DeleteSetCodec.read(reader.decoder(), ds);
        return new YUpdate(structs, DeleteSetCodec.toModel(ds));
    }

    /**
     * Encodes a model canonically, as yjs re-encodes what it decoded: one block per run of
     * consecutive structs of a client with consecutive clocks, delete-set clients descending.
     */
    public byte[] encode(YUpdate update) {
        BlockWriter out = new BlockWriter(true);
        for (Struct s : update.structs()) {
            out.write(s, 0);
        }
        return out.finish(DeleteSetCodec.fromModel(update.deleteSet(), limits));
    }
}
