package io.herald.yjs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads, writes and merges delete sets (spec 3.4 and 6.5). */
final class DeleteSetCodec {
    private DeleteSetCodec() {
    }

    /**
     * Per client (in first-seen order), the ranges as flat {@code clock, length} pairs. A client
     * listed twice gets its ranges appended, as yjs does; clients with no ranges are absent.
     */
    static final class Ranges {
        final Map<Long, List<long[]>> byClient = new LinkedHashMap<>();
        private int count;

        void add(long client, long clock, long length, YjsLimits limits) {
            if (++count > limits.maxDeleteRanges()) {
                throw new YjsFormatException("more than " + limits.maxDeleteRanges() + " delete ranges");
            }
            byClient.computeIfAbsent(client, c -> new ArrayList<>()).add(new long[] {clock, length});
        }
    }

    static void read(Lib0Decoder d, Ranges into) {
        int clients = d.readCount("delete set client");
        for (int i = 0; i < clients; i++) {
            long client = d.readVarUint();
            int n = d.readCount("delete range");
            for (int k = 0; k < n; k++) {
                long clock = d.readVarUint();
                into.add(client, clock, d.readVarUint(), d.limits());
            }
        }
    }

    /** Clients in descending order, ranges as they are (spec 3.4). */
    static void write(Lib0Encoder e, Ranges ds) {
        List<Long> clients = new ArrayList<>(ds.byClient.keySet());
        clients.sort((a, b) -> Long.compare(b, a));
        e.writeVarUint(clients.size());
        for (long client : clients) {
            List<long[]> ranges = ds.byClient.get(client);
            e.writeVarUint(client);
            e.writeVarUint(ranges.size());
            for (long[] r : ranges) {
                e.writeVarUint(r[0]);
                e.writeVarUint(r[1]);
            }
        }
    }

    /** Sorts every client's ranges by clock (stably) and joins overlapping or touching ones (6.5). */
    static Ranges sortAndMerge(Ranges ds) {
        Ranges out = new Ranges();
        for (Map.Entry<Long, List<long[]>> en : ds.byClient.entrySet()) {
            List<long[]> ranges = new ArrayList<>(en.getValue());
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            List<long[]> merged = new ArrayList<>();
            long[] last = null;
            for (long[] r : ranges) {
                if (last != null && last[0] + last[1] >= r[0]) {
                    last[1] = Math.max(last[1], r[0] + r[1] - last[0]);
                } else {
                    last = r.clone();
                    merged.add(last);
                }
            }
            out.byClient.put(en.getKey(), merged);
        }
        return out;
    }

    static DeleteSet toModel(Ranges ds) {
        List<DeleteSet.ClientDeletes> clients = new ArrayList<>();
        for (Map.Entry<Long, List<long[]>> en : ds.byClient.entrySet()) {
            List<DeleteSet.Range> ranges = new ArrayList<>();
            for (long[] r : en.getValue()) {
                ranges.add(new DeleteSet.Range(r[0], r[1]));
            }
            clients.add(new DeleteSet.ClientDeletes(en.getKey(), ranges));
        }
        return new DeleteSet(clients);
    }

    static Ranges fromModel(DeleteSet ds, YjsLimits limits) {
        Ranges out = new Ranges();
        for (DeleteSet.ClientDeletes c : ds.clients()) {
            for (DeleteSet.Range r : c.ranges()) {
                out.add(c.client(), r.clock(), r.length(), limits);
            }
        }
        return out;
    }
}
