package io.herald.room.builtin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.config.RoomsConfig;
import io.herald.room.ConnectionContext;
import io.herald.room.Room;
import io.herald.room.RoomConnection;
import io.herald.room.RoomMessage;
import io.herald.yjs.Lib0Decoder;
import io.herald.yjs.Lib0Encoder;
import io.herald.yjs.Yjs;
import io.herald.yjs.YjsFormatException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Yjs document room speaking the y-websocket protocol (also what y-partyserver's provider speaks):
 * it sends its sync step 1 on connect, answers every step 1 with a step 2 computed from the stored
 * document, relays updates to every connection (the sender included, as the reference does), keeps
 * the awareness table with its 30 s expiry and drops a connection's awareness when it closes.
 *
 * <p>The document is one merged v1 update plus pending increments, merged once at least
 * {@code rooms.yjs.compactAfter} of them have accumulated and they amount to a quarter of the
 * document (or {@link #MAX_PENDING_UPDATES} of them): merging is O(document), so it runs geometrically
 * often and costs each update O(its own size). Saving follows the same rule: a moment after changes,
 * when the last socket leaves and before the instance is dropped, the updates since the last save are
 * appended as one increment; the whole document is rewritten (in chunks, one atomic batch) only once the
 * stored increments pass a quarter of it or {@link #MAX_STORED_INCREMENTS}. {@link #onStart()} loads the
 * document and its increments. No CRDT model is kept: merge and diff work on the format.
 * Text frames prefixed {@code __YPS:} are y-partyserver custom messages, handed to {@link #onCustomMessage}.
 *
 * <p>A room asked for more relays a second than windows of {@code rooms.yjs.relayWindowMs} fit in one
 * relays in windows: a relay outside a window goes out at once and opens one, and relays inside it
 * wait for its end and go out together, the updates merged into one, the awareness entries in one
 * message. A quiet room so adds no delay, and a busy one makes one write per socket per window instead
 * of one per update, which is most of what a relay costs the server and the clients. Sync answers
 * leave out what the window holds: every open socket is sent it when the window ends.
 *
 * <p>A connection that is {@link RoomConnection#congested() congested} when an update or awareness change
 * is relayed is left out, and remembered with the document's state vector from before the first change
 * it missed. Once it has drained (checked at every later relay, and every 100 ms while any connection
 * lags) it is sent one update holding everything the document has beyond that state vector, and the
 * awareness table: a client that falls behind needs one diff, not every update it missed, and keeps
 * its socket instead of being closed at the outbound limit.
 */
public class YjsRoom extends Room {
    private static final Logger log = LoggerFactory.getLogger(YjsRoom.class);
    static final String DOC_META = "yjs:doc";
    static final String DOC_CHUNK = "yjs:doc:";
    static final int CHUNK_BYTES = 120 * 1024;
    /** The number of increments saved since the document was last written whole, and their key prefix. */
    static final String INCREMENTS_META = "yjs:incs";
    static final String INCREMENT = "yjs:inc:";
    static final int MAX_STORED_INCREMENTS = 64;
    static final int MAX_PENDING_UPDATES = 4096;
    /** What one relay window may hold before it is relayed early: bounds the merge and the memory. */
    static final int MAX_HELD_UPDATES = 1024;
    static final long MAX_HELD_BYTES = 1024 * 1024;
    private static final byte[] EMPTY_UPDATE = {0, 0};
    private static final String CUSTOM_PREFIX = "__YPS:";
    private static final long AWARENESS_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long TICK_MS = 2_000;
    private static final long CATCH_UP_POLL_MS = 100;
    private static final int MAX_AWARENESS_CLIENTS = 10_000;
    private static final int MAX_CONTROLLED_IDS = 32;
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Yjs yjs = Yjs.withDefaults();
    private byte[] merged = EMPTY_UPDATE;
    private final List<byte[]> pending = new ArrayList<>();
    private long pendingBytes;
    /** Updates accepted since the last save (the same arrays as in {@link #pending}, not copies). */
    private final List<byte[]> unsaved = new ArrayList<>();
    private int incrementsStored;
    private long incrementBytesStored;
    private long documentBytesStored;
    /** When the 2 s tick is due (epoch ms), 0 when it is not scheduled. */
    private long tickAt;
    /** What the room's one alarm is set to (epoch ms), 0 when none: the tick or the catch-up poll. */
    private long alarmAt;
    private int chunksStored;
    private final Map<Long, Aware> awareness = new HashMap<>();
    private final Laggards lagging = new Laggards();
    /** Updates accepted inside the relay window, not yet relayed nor in the document. */
    private final List<byte[]> held = new ArrayList<>();
    private long heldBytes;
    /** Awareness entries accepted inside the relay window, the latest per client, not yet relayed. */
    private final Map<Long, AwarenessEntry> heldAwareness = new LinkedHashMap<>();
    /** Ends each relay window while windows follow one another; null when the room relays at once. */
    private Repeating windows;
    /** Relays asked for in the current second (of nanoTime) and in the one before: the room's rate. */
    private long rateSecond;
    private int askedThisSecond;
    private int askedLastSecond;

    /** One awareness entry: its clock, its JSON state (null once the client left) and when it was renewed. */
    private record Aware(long clock, String state, long updatedNanos) {
    }

    @Override
    protected void onStart() {
        chunksStored = storage().getString(DOC_META).map(Integer::parseInt).orElse(0);
        if (chunksStored > 0) {
            java.io.ByteArrayOutputStream doc = new java.io.ByteArrayOutputStream();
            storage().list(DOC_CHUNK).values().forEach(b -> doc.write(b, 0, b.length));
            merged = doc.toByteArray();
        }
        documentBytesStored = merged.length;
        incrementsStored = storage().getString(INCREMENTS_META).map(Integer::parseInt).orElse(0);
        for (int i = 0; i < incrementsStored; i++) {
            byte[] inc = storage().get(incrementKey(i))
                    .orElseThrow(() -> new IllegalStateException("a saved Yjs increment is missing"));
            pending.add(inc);
            pendingBytes += inc.length;
            incrementBytesStored += inc.length;
        }
        // y-partyserver's rule: a restarted room (after hibernation) re-syncs the sockets still open
        for (RoomConnection c : connections()) {
            c.send(YWire.sync(YWire.STEP1, yjs.stateVectorFromUpdate(merged)));
        }
        if (!connections().isEmpty()) {
            tick();
        }
    }

    @Override
    protected void onConnect(RoomConnection connection, ConnectionContext context) {
        connection.send(YWire.sync(YWire.STEP1, yjs.stateVectorFromUpdate(relayedDocument())));
        if (connection.moved()) {
            // A socket that followed the room from a node that died: its client will not send sync step 1
            // (it did not reconnect), so it would never be sent what it missed. The whole document as
            // step 2 fills it; what it holds already is ignored by Yjs.
            connection.send(YWire.sync(YWire.STEP2, relayedDocument()));
        }
        if (awareness.values().stream().anyMatch(a -> a.state() != null)) {
            connection.send(YWire.awareness(encodeAll()));
        }
        tick();
    }

    @Override
    protected void onMessage(RoomConnection connection, RoomMessage message) {
        if (message instanceof RoomMessage.Text text) {
            if (text.text().startsWith(CUSTOM_PREFIX)) {
                onCustomMessage(connection, text.text().substring(CUSTOM_PREFIX.length()));
            }
            return;
        }
        try {
            Lib0Decoder r = new Lib0Decoder(message.bytes(), yjs.limits());
            int type = (int) r.readVarUint();
            if (type == YWire.SYNC) {
                int step = (int) r.readVarUint();
                byte[] payload = r.readVarUint8Array();
                if (step == YWire.STEP1) {
                    connection.send(YWire.sync(YWire.STEP2, yjs.diff(relayedDocument(), payload)));
                } else if (step == YWire.STEP2 || step == YWire.UPDATE) {
                    accept(connection, payload, step == YWire.STEP2);
                }
            } else if (type == YWire.AWARENESS) {
                applyAwareness(connection, r.readVarUint8Array());
            } else if (type == YWire.QUERY_AWARENESS) {
                connection.send(YWire.awareness(encodeAll()));
            }
        } catch (YjsFormatException e) {
            log.debug("malformed y-websocket frame in {}: {}", name(), e.getMessage());
            connection.close(ErrorCode.BAD_REQUEST.closeCode(), "malformed message");
        }
    }

    /**
     * Validates and keeps an update, then relays it to everyone; an oversized one is refused, the document
     * untouched. A sync step 2 is a client's whole document (a reconnecting client sends everything it
     * holds): only what the room lacks is kept and relayed, as a Y.Doc would emit it, so a reconnect does
     * not send a whole document to every socket.
     */
    private void accept(RoomConnection from, byte[] update, boolean wholeDocument) {
        RoomsConfig.YjsDocs limits = settings().yjs();
        if (update.length > limits.maxUpdateBytes()) {
            refuse(from, "update too large");
            return;
        }
        yjs.decode(update);
        if (wholeDocument) {
            // rare (a reconnect): what is held joins the document first, so the diff leaves it out
            flushHeld();
            update = yjs.diff(update, yjs.stateVectorFromUpdate(relayedDocument()));
            if (java.util.Arrays.equals(update, EMPTY_UPDATE)) {
                return;
            }
        }
        long limit = Math.min(limits.maxDocumentBytes(), storage().maxBytes() - 64 * 1024);
        if (merged.length + pendingBytes + heldBytes + update.length > limit) {
            refuse(from, "document too large");
            return;
        }
        if (holding()) {
            held.add(update);
            heldBytes += update.length;
            if (held.size() >= MAX_HELD_UPDATES || heldBytes >= MAX_HELD_BYTES) {
                flushHeld();
            }
        } else {
            relayUpdate(update);
        }
        tick();
    }

    /**
     * Relays one update (or several merged) and adds it to the document. Relayed before it joins the
     * document: a connection left out now remembers the state without it.
     */
    private void relayUpdate(byte[] update) {
        relay(YWire.sync(YWire.UPDATE, update));
        pending.add(update);
        pendingBytes += update.length;
        unsaved.add(update);
        RoomsConfig.YjsDocs limits = settings().yjs();
        if (pending.size() >= limits.compactAfter() && (pendingBytes * 4 >= merged.length || pending.size() >= MAX_PENDING_UPDATES)) {
            compact();
        }
    }

    /**
     * Whether a relay now must wait for the end of the current window. A room asked for fewer relays a
     * second than windows fit in one (50 for 20 ms) relays each at once: few of its relays would share
     * a window, so holding them would add latency and save little. Past that rate, a relay outside a
     * window goes at once and opens one of {@code rooms.yjs.relayWindowMs}; each window's end relays
     * what it held, and the first window that ends with nothing held closes the run. A busy room so
     * relays at most once per window, with everything that arrived in it. One repeating timer serves
     * a whole run of windows: re-arming a timer for every window would wake the timer thread several
     * times per window instead of once.
     */
    private boolean holding() {
        int window = settings().yjs().relayWindowMs();
        if (window == 0) {
            return false;
        }
        long second = System.nanoTime() / 1_000_000_000L;
        if (second != rateSecond) {
            askedLastSecond = second == rateSecond + 1 ? askedThisSecond : 0;
            askedThisSecond = 0;
            rateSecond = second;
        }
        askedThisSecond++;
        if (windows != null) {
            return true;
        }
        int busy = (1000 + window - 1) / window;
        if (askedThisSecond >= busy || askedLastSecond >= busy) {
            windows = every(Duration.ofMillis(window), this::endWindow);
        }
        return false;
    }

    private void endWindow() {
        if (held.isEmpty() && heldAwareness.isEmpty()) {
            windows.cancel();
            windows = null;
        } else {
            flushHeld();
        }
    }

    /**
     * Relays what the window held: the updates merged into one, then the awareness entries in one
     * message, in the order they were accepted (clients apply the two independently).
     */
    private void flushHeld() {
        if (!held.isEmpty()) {
            byte[] update = held.size() == 1 ? held.get(0) : yjs.merge(held);
            held.clear();
            heldBytes = 0;
            relayUpdate(update);
        }
        if (!heldAwareness.isEmpty()) {
            List<AwarenessEntry> entries = new ArrayList<>(heldAwareness.values());
            heldAwareness.clear();
            relay(YWire.awareness(awarenessUpdate(entries)));
        }
    }

    private void refuse(RoomConnection c, String reason) {
        c.send(YWire.permissionDenied(reason));
        c.close(ErrorCode.PAYLOAD_TOO_LARGE.closeCode(), reason);
    }

    /** The whole document as one v1 update, with what the relay window still holds. */
    protected final byte[] document() {
        byte[] doc = relayedDocument();
        if (held.isEmpty()) {
            return doc;
        }
        List<byte[]> all = new ArrayList<>(held.size() + 1);
        all.add(doc);
        all.addAll(held);
        return yjs.merge(all);
    }

    /**
     * The document as relayed so far, without what the window holds: what sync answers and catch-ups
     * are computed from, since every open socket is sent the held updates when the window ends.
     */
    private byte[] relayedDocument() {
        compact();
        return merged;
    }

    private void compact() {
        if (!pending.isEmpty()) {
            List<byte[]> all = new ArrayList<>(pending.size() + 1);
            all.add(merged);
            all.addAll(pending);
            merged = yjs.merge(all);
            pending.clear();
            pendingBytes = 0;
        }
    }

    /**
     * Saves what changed since the last save: one increment appended, or the whole document (all chunks,
     * the chunk count, the increments deleted) when the increment is larger than one chunk, or once the
     * increments would pass a quarter of it, or
     * {@link #MAX_STORED_INCREMENTS}, or the room's storage limit. Each save is one atomic batch.
     */
    private void persist() {
        flushHeld();
        if (unsaved.isEmpty()) {
            return;
        }
        byte[] increment = unsaved.size() == 1 ? unsaved.get(0) : yjs.merge(unsaved);
        long stored = documentBytesStored + incrementBytesStored + increment.length;
        // an increment is one storage value: a larger one is saved with the document, in chunks
        if (incrementsStored < MAX_STORED_INCREMENTS && increment.length <= CHUNK_BYTES
                && (incrementBytesStored + increment.length) * 4 <= documentBytesStored
                && stored <= storage().maxBytes() - 64 * 1024) {
            int i = incrementsStored;
            storage().batch(b -> b.put(incrementKey(i), increment)
                    .put(INCREMENTS_META, Integer.toString(i + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            incrementsStored++;
            incrementBytesStored += increment.length;
        } else {
            writeWhole();
        }
        unsaved.clear();
    }

    private void writeWhole() {
        byte[] doc = relayedDocument();
        int chunks = (doc.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
        int previous = chunksStored;
        int increments = incrementsStored;
        storage().batch(b -> {
            for (int i = 0; i < chunks; i++) {
                int from = i * CHUNK_BYTES;
                b.put(chunkKey(i), java.util.Arrays.copyOfRange(doc, from, Math.min(doc.length, from + CHUNK_BYTES)));
            }
            for (int i = chunks; i < previous; i++) {
                b.delete(chunkKey(i));
            }
            for (int i = 0; i < increments; i++) {
                b.delete(incrementKey(i));
            }
            if (increments > 0) {
                b.delete(INCREMENTS_META);
            }
            b.put(DOC_META, Integer.toString(chunks).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        chunksStored = chunks;
        documentBytesStored = doc.length;
        incrementsStored = 0;
        incrementBytesStored = 0;
    }

    private static String incrementKey(int i) {
        return String.format("%s%06d", INCREMENT, i);
    }

    private static String chunkKey(int i) {
        return String.format("%s%06d", DOC_CHUNK, i);
    }

    // --- awareness (y-protocols rules, spec §4.2) ---

    private void applyAwareness(RoomConnection from, byte[] update) {
        List<AwarenessEntry> entries = readAwareness(update);
        List<AwarenessEntry> accepted = new ArrayList<>();
        List<Long> controlled = controlledIds(from);
        long now = System.nanoTime();
        for (AwarenessEntry e : entries) {
            long client = e.client();
            long clock = e.clock();
            String state = e.state();
            boolean gone = state.equals("null");
            Aware cur = awareness.get(client);
            long curClock = cur == null ? 0 : cur.clock();
            if (clock > curClock || (clock == curClock && gone && cur != null && cur.state() != null)) {
                if (cur == null && awareness.size() >= MAX_AWARENESS_CLIENTS) {
                    continue;
                }
                awareness.put(client, new Aware(clock, gone ? null : state, now));
                if (gone) {
                    controlled.remove(client);
                } else if (!controlled.contains(client) && controlled.size() < MAX_CONTROLLED_IDS) {
                    controlled.add(client);
                }
                if (gone && cur == null) {
                    continue;
                }
                accepted.add(e);
            }
        }
        remember(from, controlled);
        relayAwareness(accepted);
    }

    /** Relays accepted awareness entries now, or with the window's other relays when one is open. */
    private void relayAwareness(List<AwarenessEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        if (holding()) {
            for (AwarenessEntry e : entries) {
                heldAwareness.remove(e.client());  // re-inserted last: the entry's place is its latest change
                heldAwareness.put(e.client(), e);
            }
            if (heldAwareness.size() >= MAX_HELD_UPDATES) {
                flushHeld();
            }
        } else {
            relay(YWire.awareness(awarenessUpdate(entries)));
        }
    }

    /** One entry of an awareness update; {@code state} is JSON text, {@code "null"} for a removal. */
    private record AwarenessEntry(long client, long clock, String state) {
    }

    /**
     * Reads every entry before any is applied. Each state must be JSON text: clients {@code JSON.parse}
     * what is relayed to them and throw on anything else (in Node, an uncaught exception).
     */
    private List<AwarenessEntry> readAwareness(byte[] update) {
        Lib0Decoder r = new Lib0Decoder(update, yjs.limits());
        long count = r.readVarUint();
        List<AwarenessEntry> entries = new ArrayList<>();
        for (long i = 0; i < count; i++) {  // an entry takes at least 3 bytes: the frame bounds the loop
            long client = r.readVarUint();
            long clock = r.readVarUint();
            String state = r.readVarString();
            // " null " is a removal to the clients too
            entries.add(new AwarenessEntry(client, clock, parseJson(state).isNull() ? "null" : state));
        }
        return entries;
    }

    /** The awareness update encoding: a count, then client, clock and state JSON per entry. */
    private static byte[] awarenessUpdate(List<AwarenessEntry> entries) {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(entries.size());
        for (AwarenessEntry a : entries) {
            e.writeVarUint(a.client());
            e.writeVarUint(a.clock());
            e.writeVarString(a.state());
        }
        return e.toByteArray();
    }

    private static JsonNode parseJson(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && !n.isMissingNode()) {
                return n;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // below
        }
        throw new YjsFormatException("awareness state is not JSON");
    }

    private byte[] encodeAll() {
        return encodeAwareness(false);
    }

    /** The awareness table as one update: the live states, and with {@code removals} the remembered removals too. */
    private byte[] encodeAwareness(boolean removals) {
        List<AwarenessEntry> entries = new ArrayList<>();
        for (Map.Entry<Long, Aware> e : awareness.entrySet()) {
            Aware a = e.getValue();
            if (a.state() != null || removals) {
                entries.add(new AwarenessEntry(e.getKey(), a.clock(), a.state() == null ? "null" : a.state()));
            }
        }
        return awarenessUpdate(entries);
    }

    /** Marks {@code clients} gone at their stored clock and tells the room. */
    private void removeAwareness(List<Long> clients) {
        List<AwarenessEntry> gone = new ArrayList<>();
        for (Long client : clients) {
            Aware a = awareness.get(client);
            if (a != null && a.state() != null) {
                awareness.put(client, new Aware(a.clock(), null, System.nanoTime()));
                gone.add(new AwarenessEntry(client, a.clock(), "null"));
            }
        }
        relayAwareness(gone);
    }

    private static List<Long> controlledIds(RoomConnection c) {
        List<Long> ids = new ArrayList<>();
        c.getState().path("yjsAwareness").forEach(n -> ids.add(n.asLong()));
        return ids;
    }

    /** Kept in connection state so a hibernated room still knows whose awareness to drop on close. */
    private static void remember(RoomConnection c, List<Long> ids) {
        JsonNode state = c.getState();
        ObjectNode next = state.isObject() ? ((ObjectNode) state).deepCopy() : JsonNodeFactory.instance.objectNode();
        ArrayNode a = next.putArray("yjsAwareness");
        ids.forEach(a::add);
        c.setState(next);
    }

    @Override
    protected void onClose(RoomConnection connection, int code, String reason) {
        lagging.forget(connection);
        removeAwareness(controlledIds(connection));
        if (connections().isEmpty()) {
            persist();
        }
    }

    @Override
    protected void onUnload() {
        persist();
        // The marks are lost with the instance and the rebuilt one's step 1 only asks clients for what
        // the room lacks, so a lagging connection gets its catch-up now, congested or not (at worst
        // the outbound limit closes it, and it re-syncs when it reconnects).
        catchUp(true);
        // The tick only saves (done) and expires awareness (lost with the instance): left pending, it
        // would rebuild the instance, reload the document and re-sync every open socket for nothing.
        setAlarm(null);
        alarmAt = 0;
        tickAt = 0;
    }

    /**
     * The catch-up poll while a connection lags, and every few seconds while there is something to do:
     * save changes, expire silent awareness.
     */
    @Override
    protected void onAlarm() {
        alarmAt = 0;
        catchUp(false);
        if (tickAt != 0 && System.currentTimeMillis() >= tickAt) {
            tickAt = 0;
            expire();
        }
        arm();
    }

    private void expire() {
        persist();
        long now = System.nanoTime();
        List<Long> expired = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Aware>> it = awareness.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Aware> e = it.next();
            if (e.getValue().state() != null && now - e.getValue().updatedNanos() >= AWARENESS_TIMEOUT_NANOS) {
                expired.add(e.getKey());
            } else if (e.getValue().state() == null && now - e.getValue().updatedNanos() >= AWARENESS_TIMEOUT_NANOS) {
                it.remove();
            }
        }
        removeAwareness(expired);
        // Re-arm only while awareness is live: an alarm counts as activity, and a quiet room must hibernate.
        if (!connections().isEmpty() && awareness.values().stream().anyMatch(a -> a.state() != null)) {
            tick();
        }
    }

    /** Schedules the 2 s tick unless it is already scheduled. */
    private void tick() {
        if (tickAt == 0) {
            tickAt = System.currentTimeMillis() + TICK_MS;
            arm();
        }
    }

    /**
     * Sets the room's one alarm to the earlier of the tick and, while a connection lags, the catch-up
     * poll. An alarm already due sooner is kept: when it fires it re-arms, so relays that find someone
     * lagging do not reschedule the timer every time.
     */
    private void arm() {
        long at = tickAt;
        if (!lagging.isEmpty()) {
            long poll = System.currentTimeMillis() + CATCH_UP_POLL_MS;
            at = at == 0 ? poll : Math.min(at, poll);
        }
        if (at != 0 && (alarmAt == 0 || at < alarmAt)) {
            alarmAt = at;
            setAlarm(Instant.ofEpochMilli(at));
        }
    }

    // --- slow connections: left out while congested, caught up with one diff ---

    /**
     * Sends {@code frame} to every connection that is not lagging, after catching up those that have
     * drained. A connection found congested is left out and marked with the document's current state
     * vector, which is why an update is relayed before it is added to the document.
     */
    private void relay(byte[] frame) {
        catchUp(false);
        int before = lagging.size();
        broadcast(RoomMessage.binary(frame), lagging.relayFilter(() -> yjs.stateVectorFromUpdate(relayedDocument())));
        if (lagging.size() != before) {
            arm();
        }
    }

    /**
     * Sends each lagging connection that is no longer congested (every one with {@code all}) the awareness
     * table, then one update with what the document has beyond its remembered state vector. Yjs ignores
     * what it already has, so the diff may hold more than the client lacks, never less.
     */
    private void catchUp(boolean all) {
        Map<byte[], Set<RoomConnection>> bySv = lagging.drained(all);
        if (bySv.isEmpty()) {
            return;
        }
        Set<RoomConnection> caughtUp = new HashSet<>();
        bySv.values().forEach(caughtUp::addAll);
        meters().yjsCatchUps(caughtUp.size());
        // awareness first: it is small, while a large diff could leave the socket unwritable for the
        // frame after it, which the transport would answer with 1013
        if (!awareness.isEmpty()) {
            broadcast(RoomMessage.binary(YWire.awareness(encodeAwareness(true))), caughtUp::contains);
        }
        byte[] doc = relayedDocument();
        bySv.forEach((sv, to) -> {
            byte[] diff = yjs.diff(doc, sv);
            if (!java.util.Arrays.equals(diff, EMPTY_UPDATE)) {
                broadcast(RoomMessage.binary(YWire.sync(YWire.UPDATE, diff)), to::contains);
            }
        });
    }

    /** A y-partyserver custom string message ({@code __YPS:} prefix removed). Does nothing by default. */
    protected void onCustomMessage(RoomConnection connection, String message) {
    }

    /** Sends a y-partyserver custom string message to one connection. */
    protected final void sendCustomMessage(RoomConnection connection, String message) {
        connection.send(CUSTOM_PREFIX + message);
    }

    /** Sends a y-partyserver custom string message to every connection except those listed. */
    protected final void broadcastCustomMessage(String message, String... excludeConnectionIds) {
        broadcast(CUSTOM_PREFIX + message, excludeConnectionIds);
    }
}
