package io.herald.yjs;

import java.util.ArrayList;
import java.util.List;

/**
 * The deletions an update carries (spec 3.4): per client, clock ranges that are deleted. Clients
 * are kept in descending client order, the order yjs writes; each client's ranges stay in the
 * order given (yjs sorts and merges them only when it merges updates). Clients with no ranges are
 * dropped. Immutable and thread-safe.
 */
public record DeleteSet(List<ClientDeletes> clients) {
    public static final DeleteSet EMPTY = new DeleteSet(List.of());

    public DeleteSet {
        List<ClientDeletes> sorted = new ArrayList<>();
        for (ClientDeletes c : clients) {
            if (!c.ranges().isEmpty()) {
                sorted.add(c);
            }
        }
        sorted.sort((a, b) -> Long.compare(b.client(), a.client()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).client() == sorted.get(i - 1).client()) {
                throw new YjsFormatException("client " + sorted.get(i).client() + " appears twice in a delete set");
            }
        }
        clients = List.copyOf(sorted);
    }

    /** The deleted ranges of one client. */
    public record ClientDeletes(long client, List<Range> ranges) {
        public ClientDeletes {
            Structs.requireClock("client", client);
            ranges = List.copyOf(ranges);
        }
    }

    /** Deleted clocks {@code [clock, clock + length)}; yjs accepts a length of 0 and so does this. */
    public record Range(long clock, long length) {
        public Range {
            Structs.requireClock("clock", clock);
            Structs.requireClock("length", length);
        }
    }
}
