package io.herald.room;

import io.herald.storage.RoomStore;
import io.herald.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pending alarms of a party's rooms, kept through the {@link Storage} port so that they outlive the
 * process on any storage: one entry per room with a pending alarm (key: the room id, value: the time in
 * epoch milliseconds as decimal text) in a store of its own per party. That store is addressed as the
 * room {@code <party>} of the pseudo-party {@value #PARTY}, a name no binding can produce (party names
 * are {@code [a-z0-9-]}), so room code never sees the entries or pays for them in its budget, and the
 * start-up scan is one prefix read per party rather than a search through every room's keys.
 * Thread-safe as the storage is; calls block.
 */
final class StoredAlarms {
    /** The pseudo-party whose rooms are the parties' alarm indexes. */
    static final String PARTY = "$alarms";
    private final Storage storage;

    StoredAlarms(Storage storage) {
        this.storage = storage;
    }

    private RoomStore index(String party) {
        return storage.room(PARTY, party);
    }

    /** Records (or moves) the alarm of {@code room}. */
    void put(String party, String room, Instant at) {
        index(party).put(room, Long.toString(at.toEpochMilli()).getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets the alarm of {@code room}; nothing when there is none. */
    void delete(String party, String room) {
        index(party).delete(room);
    }

    /** The stored alarm of {@code room}, or null. */
    Instant get(String party, String room) {
        return index(party).get(room).map(v -> {
            try {
                return Instant.ofEpochMilli(Long.parseLong(new String(v, StandardCharsets.UTF_8)));
            } catch (NumberFormatException e) {
                return null;
            }
        }).orElse(null);
    }

    /** Every pending alarm of {@code party}: room id to time. Entries that do not parse are skipped. */
    Map<String, Instant> pending(String party) {
        Map<String, Instant> out = new LinkedHashMap<>();
        index(party).list("").forEach((room, value) -> {
            try {
                out.put(room, Instant.ofEpochMilli(Long.parseLong(new String(value, StandardCharsets.UTF_8))));
            } catch (NumberFormatException e) {
                // written by nothing but put(): a damaged entry cannot be honoured, and the next put replaces it
            }
        });
        return out;
    }
}
