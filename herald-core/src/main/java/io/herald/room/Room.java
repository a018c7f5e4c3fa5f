package io.herald.room;

import io.herald.Meters;
import io.herald.storage.RoomStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A room's behaviour, what a PartyServer {@code Server} class is: extend it and override the hooks.
 * One instance serves one (party, room id). Every hook of a room runs on that room's context, one at
 * a time and in order, so room code needs no locks. Hooks run on a room worker, not an event loop:
 * quick blocking calls (storage) are fine; long blocking work goes through {@link #offload}, whose
 * result comes back on the room's context, still in order.
 *
 * <p>After {@code rooms.hibernateAfterMs} of silence the instance is dropped (its fields are lost,
 * sockets stay open) and the next event builds a new one and runs {@link #onStart} again; keep what
 * must survive in {@link #storage()} or in connection state.
 *
 * <p>A class bound in configuration needs a public no-argument constructor. It may declare
 * {@code public static Optional<Refusal> onBeforeConnect(ConnectRequest request)}, or
 * {@code public static Admission onBeforeConnect(ConnectRequest request)} to attach props, run before
 * the upgrade or the HTTP request and after the configured access gate.
 */
public abstract class Room {
    private RoomContext ctx;

    final void attach(RoomContext context) {
        this.ctx = context;
    }

    /** Called when the instance is (re)built, before any other hook: load state here. */
    protected void onStart() throws Exception {
    }

    /**
     * The tags of a joining socket, asked before {@link #onConnect} (PartyServer's
     * {@code getConnectionTags}): {@link #getConnections(String)} finds connections by them, through
     * hibernation too. The connection's id is always its first tag; at most
     * {@link RoomConnection#MAX_TAGS} in all, each 1..{@link RoomConnection#MAX_TAG_CHARS} characters,
     * else the join fails like an exception in onConnect. The default is none.
     */
    protected List<String> getConnectionTags(RoomConnection connection, ConnectionContext context) throws Exception {
        return List.of();
    }

    /** A socket joined. */
    protected void onConnect(RoomConnection connection, ConnectionContext context) throws Exception {
    }

    /** A socket sent a text or binary frame. */
    protected void onMessage(RoomConnection connection, RoomMessage message) throws Exception {
    }

    /** A socket closed (the connection is no longer in {@link #connections()}). */
    protected void onClose(RoomConnection connection, int code, String reason) throws Exception {
    }

    /** A hook threw for this connection; the connection stays open. */
    protected void onError(RoomConnection connection, Throwable error) {
    }

    /**
     * The instance is about to be dropped (hibernation, or the room emptied): save what must survive.
     * Storage is still usable here; sockets are not told.
     */
    protected void onUnload() throws Exception {
    }

    /** The alarm set with {@link #setAlarm} is due. */
    protected void onAlarm() throws Exception {
    }

    /**
     * A plain HTTP request to this room's URL (PartyServer's {@code onRequest}), let in by the party's
     * access gate and {@code onBeforeConnect} as a socket would be. Runs on the room's context like every
     * hook, so it sees the same fields and storage as the sockets' hooks. The response is sent as it is;
     * an exception (or null) answers 500 with a generic JSON error. The default answers 404
     * {@code not_found}.
     */
    protected HttpResponse onRequest(HttpRequest request) throws Exception {
        return HttpResponse.error(io.herald.ErrorCode.NOT_FOUND, "This room does not answer HTTP requests.");
    }

    /** The room id (URL-decoded). */
    public final String name() {
        return ctx.name();
    }

    /** The party (kebab-case binding name). */
    public final String party() {
        return ctx.party();
    }

    /** Sends {@code message} to every open connection except those whose ids are listed (the sender is included unless listed). */
    public final void broadcast(RoomMessage message, String... excludeConnectionIds) {
        ctx.broadcast(message, excludeConnectionIds);
    }

    /** Sends a text message to every open connection except those listed. */
    public final void broadcast(String text, String... excludeConnectionIds) {
        ctx.broadcast(RoomMessage.text(text), excludeConnectionIds);
    }

    /**
     * Sends {@code message} to the open connections for which {@code to} is true. {@code to} runs on
     * this room's context, once per open connection, before this returns. As with every broadcast, the
     * message is encoded once and handed to each event loop in one task, not one per connection.
     */
    public final void broadcast(RoomMessage message, Predicate<RoomConnection> to) {
        ctx.broadcast(message, to);
    }

    /** The open connections, oldest first. */
    public final Collection<RoomConnection> connections() {
        return ctx.connections();
    }

    /** The open connections carrying {@code tag} (see {@link #getConnectionTags}), oldest first. */
    public final Collection<RoomConnection> getConnections(String tag) {
        return ctx.connections().stream().filter(c -> c.hasTag(tag)).toList();
    }

    /** The newest open connection with this id (partysocket reuses ids across reconnects). */
    public final Optional<RoomConnection> getConnection(String id) {
        return ctx.connection(id);
    }

    /** The rooms configuration this room runs under. */
    public final io.herald.config.RoomsConfig settings() {
        return ctx.settings();
    }

    /** The server's meters, for rooms that count something of their own. */
    protected final Meters meters() {
        return ctx.meters();
    }

    /** The room's durable key/value store. */
    public final RoomStore storage() {
        return ctx.storage();
    }

    /**
     * Schedules {@link #onAlarm()} at {@code at} (replacing an earlier alarm); null cancels. The alarm is
     * stored before this returns (blocking on storage), so it survives hibernation and a restart of the
     * server: a room with a pending alarm is woken for it even with no sockets. It fires at least once:
     * its record is deleted after onAlarm returns, so a crash during onAlarm fires it again after the
     * restart.
     *
     * @throws io.herald.storage.StorageException when it cannot be stored (nothing is scheduled then)
     */
    public final void setAlarm(Instant at) {
        ctx.setAlarm(at);
    }

    /**
     * Runs {@code task} on the room's context every {@code period} (at least 1 ms) until the returned
     * handle is cancelled or this instance is dropped. A tick whose previous run is still waiting
     * for the room is skipped, and ticks do not count as activity: they never keep a room from
     * hibernating. For what must survive hibernation, use {@link #setAlarm}.
     */
    public final Repeating every(Duration period, Runnable task) {
        return ctx.every(period, task);
    }

    /** A task started with {@link #every}. */
    public interface Repeating {
        /** Stops the ticks; a tick already queued does not run. Idempotent. */
        void cancel();
    }

    /**
     * Runs blocking {@code work} on a worker pool; the future completes on this room's context, and
     * no other hook of this room runs until it has.
     */
    public final <T> CompletableFuture<T> offload(Callable<T> work) {
        return ctx.offload(work);
    }

    /** What a room needs from its host; implemented by the actor. */
    interface RoomContext {
        String name();

        String party();

        void broadcast(RoomMessage message, String... exclude);

        void broadcast(RoomMessage message, Predicate<RoomConnection> to);

        Collection<RoomConnection> connections();

        Optional<RoomConnection> connection(String id);

        RoomStore storage();

        io.herald.config.RoomsConfig settings();

        Meters meters();

        void setAlarm(Instant at);

        Repeating every(Duration period, Runnable task);

        <T> CompletableFuture<T> offload(Callable<T> work);
    }
}
