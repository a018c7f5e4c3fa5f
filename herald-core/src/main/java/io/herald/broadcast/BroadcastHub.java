package io.herald.broadcast;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.LocalFanout;
import io.herald.Meters;
import io.herald.cluster.Broker;
import io.herald.config.BroadcastConfig;
import io.herald.inspect.PublishTail;
import io.herald.inspect.Publisher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Broadcast primitive's hub: validates published events against the table and namespace rules,
 * sends them through the {@link Broker} once, and on each node fans them out to the scope's local
 * sockets: one task per event loop, role filter and masking decided once per role set, each variant
 * encoded once. Thread-safe; publish from any thread (the in-process Java API is this class).
 *
 * <p><b>Resume.</b> Every publish takes the next position of its scope's stream, which keeps the last
 * {@code broadcast.history.size} envelopes as published (targeting included). A resumable socket
 * ({@link Resume}) is told its position and gets {@code "offset"} on every event; one opened with a
 * cursor first gets the events it missed, read back from the history and put through its own role
 * filter, user targeting and masks, so one code path decides visibility. While its history is read,
 * live events for it are held on its loop and sent after the replay, those already replayed skipped:
 * no gap, no duplicate. A broker gap (its connection to the other nodes was lost) runs the same
 * recovery again from each resumable socket's last offset. Plain sockets get the exact frames they
 * always did.
 */
public final class BroadcastHub {
    private static final Logger log = LoggerFactory.getLogger(BroadcastHub.class);
    static final String PRIMITIVE = "broadcast";
    private static final int MAX_INTERNED_ROLE_SETS = 10_000;
    private static final TableRules NO_RULES = new TableRules("", io.herald.config.BroadcastConfig.TableConfig.allDefaults());

    private final Broker broker;
    private final EventCodec codec;
    /** An envelope as published (targeting included): encoded only where it leaves this node. */
    private final Broker.Codec<Envelope> envelopes;
    private final LocalFanout fanout;
    private final Meters meters;
    private final Map<String, TableRules> tables = new HashMap<>();
    private final Map<String, Set<String>> namespaces = new HashMap<>();
    private final int maxScopes;
    private final Broker.Retention retention;
    private final int historyLimit;
    private final Map<String, Scope> scopes = new ConcurrentHashMap<>();
    private final Map<Set<String>, RoleSet> roleSets = new ConcurrentHashMap<>();
    private final LongAdder encodings = new LongAdder();
    private final AtomicLong joined = new AtomicLong();
    /** Events for every scope (a TRUNCATE): each node delivers them to all its subscribers the table's rules admit. */
    private static final String EVERY_SCOPE = "broadcast:every-scope";
    private final Broker.Subscription everyScope;
    private final PublishTail tail;

    public BroadcastHub(BroadcastConfig config, Broker broker, Meters meters, ObjectMapper json) {
        this(config, broker, meters, json, PublishTail.off());
    }

    /** A hub that records each publish of this node in {@code tail}. */
    public BroadcastHub(BroadcastConfig config, Broker broker, Meters meters, ObjectMapper json, PublishTail tail) {
        this.broker = broker;
        this.tail = tail;
        this.codec = new EventCodec(json);
        this.envelopes = new Broker.Codec<>() {
            @Override
            public byte[] encode(Envelope e) {
                return codec.encodeEnvelope(e);
            }

            @Override
            public Envelope decode(byte[] bytes) {
                return codec.decodeEnvelope(bytes);
            }
        };
        this.meters = meters;
        this.fanout = new LocalFanout(meters);
        this.maxScopes = config.maxScopes();
        this.retention = new Broker.Retention(config.history().size(), config.history().ttlSeconds());
        this.historyLimit = Math.max(1, config.history().size());
        config.tables().forEach((name, t) -> tables.put(name, new TableRules(name, t)));
        config.namespaces().forEach((ns, names) -> namespaces.put(ns, Set.copyOf(names)));
        this.everyScope = broker.subscribe(EVERY_SCOPE, envelopes, this::deliverToEveryScope);
    }

    /**
     * Publishes a postgres_changes event from this process (the in-process Java API).
     *
     * @return the sockets written on every node, or a skip reason when the table has this event type switched off
     * @throws HeraldException 400 {@code unknown_table} for a table that is not configured
     */
    public CompletableFuture<PublishResult> publish(ChangeEvent event) {
        return publish(event, Publisher.IN_PROCESS);
    }

    /** As {@link #publish(ChangeEvent)}, recorded in the publish tail as made by {@code publisher}. */
    public CompletableFuture<PublishResult> publish(ChangeEvent event, Publisher publisher) {
        TableRules rules = tables.get(event.table());
        if (rules == null) {
            throw new HeraldException(ErrorCode.UNKNOWN_TABLE, "Unknown table '" + event.table() + "'.");
        }
        if (!rules.enabled(event.eventType())) {
            String flag = switch (event.eventType()) {
                case INSERT -> "onInsert";
                case UPDATE -> "onUpdate";
                case DELETE, TRUNCATE -> "onDelete";
            };
            return CompletableFuture.completedFuture(new PublishResult(0, flag + " disabled"));
        }
        return send(Envelope.of(event), publisher);
    }

    /**
     * Publishes a custom event from this process (the in-process Java API).
     *
     * @throws HeraldException 400 {@code unknown_event} for an {@code ns:name} event not declared in namespaces
     */
    public CompletableFuture<PublishResult> publish(BroadcastEvent event) {
        return publish(event, Publisher.IN_PROCESS);
    }

    /** As {@link #publish(BroadcastEvent)}, recorded in the publish tail as made by {@code publisher}. */
    public CompletableFuture<PublishResult> publish(BroadcastEvent event, Publisher publisher) {
        String ns = event.namespace();
        if (ns != null) {
            Set<String> names = namespaces.get(ns);
            if (names == null) {
                throw new HeraldException(ErrorCode.UNKNOWN_EVENT, "Unknown namespace '" + ns + "'.");
            }
            String name = event.event().substring(ns.length() + 1);
            if (!names.contains(name)) {
                throw new HeraldException(ErrorCode.UNKNOWN_EVENT, "Event '" + name + "' is not declared in namespace '" + ns + "'.");
            }
        }
        return send(Envelope.of(event), publisher);
    }

    /**
     * The {@code broadcast.tables} entry that governs rows of {@code schema.table}: the schema-qualified
     * entry when there is one, else the bare table name's; null when neither is configured.
     */
    public String rulesFor(String schema, String table) {
        String qualified = schema + "." + table;
        if (tables.containsKey(qualified)) {
            return qualified;
        }
        return tables.containsKey(table) ? table : null;
    }

    /**
     * Publishes the changes of one scope from a change-capture {@code source}, in order, each once
     * whatever the number of calls ({@link Broker#publishOnce}: keys increase with the source's log
     * position). Changes of a type the table switched off are left out. Completes when the broker took
     * them; the caller makes one call per scope at a time.
     *
     * @throws HeraldException 400 {@code unknown_table} for a table that is not configured
     */
    public CompletableFuture<Void> publishOnce(String source, String scopeKey, List<Broker.Keyed<ChangeEvent>> changes) {
        List<Broker.Keyed<Envelope>> out = new ArrayList<>(changes.size());
        for (Broker.Keyed<ChangeEvent> k : changes) {
            ChangeEvent event = k.message();
            if (!event.target().scopeKey().equals(scopeKey)) {
                throw new IllegalArgumentException("a change for scope " + event.target().scopeKey() + " in a batch for " + scopeKey);
            }
            String rules = rulesFor(event.schema() == null ? tables.getOrDefault(event.table(), NO_RULES).schema : event.schema(), event.table());
            if (rules == null) {
                throw new HeraldException(ErrorCode.UNKNOWN_TABLE, "Unknown table '" + event.table() + "'.");
            }
            if (tables.get(rules).enabled(event.eventType())) {
                Envelope e = Envelope.of(event, rules);
                out.add(new Broker.Keyed<>(e, k.key()));
                meters.published(PRIMITIVE);
                if (tail.enabled()) {
                    // the reader learns no delivery count: the publish goes into the scope's stream once
                    record(e, Publisher.CHANGE_CAPTURE, -1, null);
                }
            }
        }
        if (out.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return broker.publishOnce(topic(scopeKey), source, out, envelopes, retention);
    }

    /**
     * Publishes a TRUNCATE of {@code schema.table} to every scope's subscribers on every node, those the
     * table's role filter admits ({@code new} and {@code old} null). It has no place in the scopes'
     * streams: it is not replayed to a resuming socket.
     */
    public CompletableFuture<PublishResult> publishTruncate(String schema, String table) {
        String rules = rulesFor(schema, table);
        if (rules == null) {
            throw new HeraldException(ErrorCode.UNKNOWN_TABLE, "Unknown table '" + table + "'.");
        }
        if (!tables.get(rules).enabled(ChangeEvent.Type.TRUNCATE)) {
            return CompletableFuture.completedFuture(new PublishResult(0, "onDelete disabled"));
        }
        meters.published(PRIMITIVE);
        Envelope e = Envelope.truncate(table, schema, rules);
        return recorded(e, Publisher.CHANGE_CAPTURE, broker.publish(EVERY_SCOPE, e, envelopes).thenApply(PublishResult::of));
    }

    /**
     * Starts every scope stream {@code source} published to over under a new epoch: the source lost its
     * place (a replication slot was lost), so what it published may have gaps; resuming sockets are
     * told {@code recovered:false}. Completes with the number of streams.
     */
    public CompletableFuture<Integer> restart(String source) {
        return broker.restart(source);
    }

    private CompletableFuture<Integer> deliverToEveryScope(String topic, Envelope e, Broker.Position position) {
        long start = System.nanoTime();
        TableRules rules = tables.get(e.rules());
        if (rules == null) {
            log.warn("dropping a {} for table {} that this node does not configure", e.eventType(), e.rules());
            return CompletableFuture.completedFuture(0);
        }
        Variants variants = new Variants(e, rules, codec, encodings, 0);
        LocalFanout.Targets<Scope.Member> how = new LocalFanout.Targets<>() {
            @Override
            public Connection connection(Scope.Member m) {
                return m.connection();
            }

            @Override
            public EncodedMessage message(Scope.Member m) {
                return variants.forRoles(m.roles());
            }
        };
        Map<Executor, List<Scope.Member[]>> byLoop = new HashMap<>();
        for (Scope scope : scopes.values()) {
            scope.byLoop.forEach((loop, members) -> byLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(members.members()));
        }
        Map<Executor, Supplier<List<Scope.Member>>> groups = new HashMap<>(byLoop.size() * 2);
        byLoop.forEach((loop, arrays) -> groups.put(loop, () -> {
            List<Scope.Member> all = new ArrayList<>();
            arrays.forEach(a -> all.addAll(Arrays.asList(a)));
            return all;
        }));
        return fanout.toLoops(PRIMITIVE, start, groups, how);
    }

    private CompletableFuture<PublishResult> send(Envelope e, Publisher publisher) {
        meters.published(PRIMITIVE);
        return recorded(e, publisher, broker.publish(topic(e.scopeKey()), e, envelopes, retention).thenApply(PublishResult::of));
    }

    /** {@code published}, whose outcome goes into the publish tail when it completes (when the tail keeps anything). */
    private CompletableFuture<PublishResult> recorded(Envelope e, Publisher publisher, CompletableFuture<PublishResult> published) {
        if (!tail.enabled()) {
            return published;
        }
        // the preview is made now, on the publisher's thread, so the tail never holds the event itself
        PublishPreview p = PublishPreview.of(e, tables.get(e.rules()), codec);
        published.whenComplete((r, failure) -> tail.add(PRIMITIVE, publisher, p.target(), p.event(), p.payload(), p.hidden(),
                r == null ? 0 : r.delivered(), failure == null ? null : errorCode(failure)));
        return published;
    }

    private void record(Envelope e, Publisher publisher, int delivered, String error) {
        PublishPreview p = PublishPreview.of(e, tables.get(e.rules()), codec);
        tail.add(PRIMITIVE, publisher, p.target(), p.event(), p.payload(), p.hidden(), delivered, error);
    }

    private static String errorCode(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof HeraldException he ? he.code().code() : ErrorCode.INTERNAL.code();
    }

    /**
     * Subscribes a connection to a scope with the roles it holds there.
     *
     * @throws HeraldException 1013 {@code overloaded} when the scope cap is reached
     */
    public Registration subscribe(String scopeKey, String userId, Collection<String> roles, Connection connection) {
        return subscribe(scopeKey, userId, roles, connection, Resume.NONE);
    }

    /**
     * Subscribes like {@link #subscribe(String, String, Collection, Connection)}, resumable as
     * {@code resume} says: the socket's first frame is its {@code position} ({@link Resume.Mode#LATEST})
     * or a {@code resumed} frame followed by what it missed ({@link Resume.Mode#SINCE}), queued on its
     * executor before any live event.
     *
     * @throws HeraldException 1013 {@code overloaded} when the scope cap is reached
     */
    public Registration subscribe(String scopeKey, String userId, Collection<String> roles, Connection connection, Resume resume) {
        Cursor cursor = resume.mode() == Resume.Mode.NONE ? null : new Cursor();
        Scope.Member member = new Scope.Member(connection, userId, intern(roles), joined.incrementAndGet(), cursor);
        scopes.compute(scopeKey, (k, scope) -> {
            if (scope == null) {
                if (scopes.size() >= maxScopes) {
                    throw new HeraldException(ErrorCode.OVERLOADED, "Too many scopes.");
                }
                scope = new Scope(k);
                scope.subscription = broker.subscribe(topic(k), envelopes, this::deliver, t -> onGap(k));
            }
            scope.add(member);
            return scope;
        });
        meters.connections(PRIMITIVE).incrementAndGet();
        if (cursor != null) {
            // after the member joined the scope: every later publication reaches it, held until the replay is out
            recover(scopeKey, member, resume.mode() == Resume.Mode.SINCE ? resume.epoch() : null, resume.offset());
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                unsubscribe(scopeKey, member);
            }
        };
    }

    private void unsubscribe(String scopeKey, Scope.Member member) {
        scopes.computeIfPresent(scopeKey, (k, scope) -> {
            if (scope.remove(member)) {
                meters.connections(PRIMITIVE).decrementAndGet();
            }
            if (scope.size == 0) {
                scope.subscription.close();
                return null;
            }
            return scope;
        });
    }

    private CompletableFuture<Integer> deliver(String topic, Envelope e, Broker.Position position) {
        long start = System.nanoTime();
        Scope scope = scopes.get(e.scopeKey());
        if (scope == null) {
            return CompletableFuture.completedFuture(0);
        }
        TableRules rules = e.kind() == Envelope.Kind.CHANGE ? tables.get(e.rules()) : null;
        if (e.kind() == Envelope.Kind.CHANGE && rules == null) {
            log.warn("dropping a change for table {} that this node does not configure", e.rules());
            return CompletableFuture.completedFuture(0);
        }
        Variants variants = new Variants(e, rules, codec, encodings, position.offset());
        LocalFanout.Targets<Scope.Member> how = new LocalFanout.Targets<>() {
            @Override
            public Connection connection(Scope.Member m) {
                return m.connection();
            }

            @Override
            public EncodedMessage message(Scope.Member m) {
                Cursor c = m.cursor();
                if (c == null) {
                    return variants.forRoles(m.roles());
                }
                if (c.recovering) {
                    c.hold(e, position);
                    return null;
                }
                return next(m, variants, position);
            }
        };
        if (e.userId() == null) {
            // each loop's task takes its members' array on the loop, so the array is built there, once per change
            Map<Executor, Supplier<List<Scope.Member>>> groups = new HashMap<>(scope.byLoop.size() * 2);
            scope.byLoop.forEach((loop, members) -> groups.put(loop, () -> Arrays.asList(members.members())));
            return fanout.toLoops(PRIMITIVE, start, groups, how);
        }
        Scope.Member[] mine = scope.byUser.get(e.userId());
        return fanout.toEach(PRIMITIVE, start, mine == null ? List.of() : Arrays.asList(mine), how);
    }

    /**
     * The frame of a live or held event for a resumable member, on its loop: null when it was replayed
     * already or the member may not see it. A new epoch (the stream was lost and restarted) is announced
     * first: {@code resumed} with {@code recovered:false} when the member had a position, then the new one.
     */
    private EncodedMessage next(Scope.Member m, Variants variants, Broker.Position position) {
        Cursor c = m.cursor();
        if (!position.epoch().equals(c.epoch)) {
            if (!c.epoch.isEmpty() || c.last > 0) {
                m.connection().send(EncodedMessage.text(codec.resumed(false, 0)));
            }
            c.epoch = position.epoch();
            c.last = position.offset() - 1;
            m.connection().send(EncodedMessage.text(codec.position(new Broker.Position(c.epoch, c.last))));
        }
        if (position.offset() <= c.last) {
            return null;
        }
        c.last = position.offset();
        return variants.forRolesWithOffset(m.roles());
    }

    /**
     * Reads the scope's history after {@code since} for a member whose live events are being held, then,
     * on its loop, sends what it is owed. {@code epoch} null: the member asked for no replay, only its position.
     */
    private void recover(String scopeKey, Scope.Member m, String epoch, long since) {
        CompletableFuture<Broker.History<Envelope>> read;
        try {
            read = broker.history(topic(scopeKey), envelopes, epoch == null ? 0 : since, epoch == null ? 1 : historyLimit);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((history, failure) -> {
            try {
                m.connection().executor().execute(() -> recovered(scopeKey, m, epoch, since, history, failure));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // its loop is shutting down with the connection
            }
        });
    }

    private void recovered(String scopeKey, Scope.Member m, String epoch, long since,
                           Broker.History<Envelope> history, Throwable failure) {
        Cursor c = m.cursor();
        Connection conn = m.connection();
        if (failure != null) {
            log.debug("history of scope {} unavailable for a resuming socket: {}", scopeKey, failure.toString());
            c.held.clear();
            conn.close(ErrorCode.BROKER_UNAVAILABLE, "history unavailable");
            return;
        }
        Broker.Position top = history.top();
        if (epoch == null) {
            conn.send(EncodedMessage.text(codec.position(top)));
        } else {
            boolean sameEpoch = top.epoch().equals(epoch) || (epoch.isEmpty() && since == 0);
            if (sameEpoch && history.complete()) {
                List<EncodedMessage> missed = new ArrayList<>(history.entries().size());
                for (Broker.Entry<Envelope> entry : history.entries()) {
                    EncodedMessage frame = visible(m, entry.message(), entry.position());
                    if (frame != null) {
                        missed.add(frame);
                    }
                }
                conn.send(EncodedMessage.text(codec.resumed(true, missed.size())));
                missed.forEach(conn::send);
            } else {
                conn.send(EncodedMessage.text(codec.resumed(false, 0)));
                conn.send(EncodedMessage.text(codec.position(top)));
            }
        }
        c.epoch = top.epoch();
        c.last = top.offset();
        c.recovering = false;
        while (!c.held.isEmpty() && !c.again) {
            Cursor.Held h = c.held.pollFirst();
            EncodedMessage frame = replayable(h.envelope()) ? next(m, variants(h.envelope(), h.position()), h.position()) : null;
            if (frame != null) {
                conn.send(frame);
            }
        }
        if (c.again) {
            c.again = false;
            c.held.clear();
            c.recovering = true;
            recover(scopeKey, m, c.epoch, c.last);
        }
    }

    /** A replayed envelope's frame for {@code m}, or null when its targeting, role filter or table excludes it. */
    private EncodedMessage visible(Scope.Member m, Envelope e, Broker.Position p) {
        if (!replayable(e) || (e.userId() != null && !e.userId().equals(m.userId()))) {
            return null;
        }
        return variants(e, p).forRolesWithOffset(m.roles());
    }

    private boolean replayable(Envelope e) {
        return e.kind() != Envelope.Kind.CHANGE || tables.containsKey(e.rules());
    }

    private Variants variants(Envelope e, Broker.Position p) {
        return new Variants(e, e.kind() == Envelope.Kind.CHANGE ? tables.get(e.rules()) : null, codec, encodings, p.offset());
    }

    /** The broker may have lost publications of a scope: every resumable socket recovers from its last offset. */
    private void onGap(String scopeKey) {
        Scope scope = scopes.get(scopeKey);
        if (scope == null) {
            return;
        }
        scope.byLoop.forEach((loop, members) -> {
            try {
                loop.execute(() -> {
                    for (Scope.Member m : members.members()) {
                        Cursor c = m.cursor();
                        if (c == null) {
                            continue;
                        }
                        if (c.recovering) {
                            c.again = true;
                        } else {
                            c.recovering = true;
                            recover(scopeKey, m, c.epoch, c.last);
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // that loop is shutting down with its connections
            }
        });
    }

    private RoleSet intern(Collection<String> roles) {
        Set<String> key = Set.copyOf(new HashSet<>(roles));
        RoleSet rs = roleSets.get(key);
        if (rs == null) {
            rs = new RoleSet(key);
            if (roleSets.size() < MAX_INTERNED_ROLE_SETS) {
                RoleSet prev = roleSets.putIfAbsent(key, rs);
                rs = prev == null ? rs : prev;
            }
        }
        return rs;
    }

    private static String topic(String scopeKey) {
        return "broadcast/" + scopeKey;
    }

    /** How many variant encodings fan-outs have made so far (encode-once is measured by this). */
    public long encodings() {
        return encodings.sum();
    }

    /** Scopes with at least one local subscriber. */
    public int scopeCount() {
        return scopes.size();
    }

    /** A subscription of one connection to one scope; closing it twice is harmless. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
