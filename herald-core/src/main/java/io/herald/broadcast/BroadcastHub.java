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
 */
public final class BroadcastHub {
    private static final Logger log = LoggerFactory.getLogger(BroadcastHub.class);
    static final String PRIMITIVE = "broadcast";
    private static final int MAX_INTERNED_ROLE_SETS = 10_000;

    private final Broker broker;
    private final EventCodec codec;
    /** An envelope as published (targeting included): encoded only where it leaves this node. */
    private final Broker.Codec<Envelope> envelopes;
    private final LocalFanout fanout;
    private final Meters meters;
    private final Map<String, TableRules> tables = new HashMap<>();
    private final Map<String, Set<String>> namespaces = new HashMap<>();
    private final int maxScopes;
    private final Map<String, Scope> scopes = new ConcurrentHashMap<>();
    private final Map<Set<String>, RoleSet> roleSets = new ConcurrentHashMap<>();
    private final LongAdder encodings = new LongAdder();
    private final AtomicLong joined = new AtomicLong();

    public BroadcastHub(BroadcastConfig config, Broker broker, Meters meters, ObjectMapper json) {
        this.broker = broker;
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
        config.tables().forEach((name, t) -> tables.put(name, new TableRules(name, t)));
        config.namespaces().forEach((ns, names) -> namespaces.put(ns, Set.copyOf(names)));
    }

    /**
     * Publishes a postgres_changes event.
     *
     * @return the sockets written on every node, or a skip reason when the table has this event type switched off
     * @throws HeraldException 400 {@code unknown_table} for a table that is not configured
     */
    public CompletableFuture<PublishResult> publish(ChangeEvent event) {
        TableRules rules = tables.get(event.table());
        if (rules == null) {
            throw new HeraldException(ErrorCode.UNKNOWN_TABLE, "Unknown table '" + event.table() + "'.");
        }
        if (!rules.enabled(event.eventType())) {
            String flag = switch (event.eventType()) {
                case INSERT -> "onInsert";
                case UPDATE -> "onUpdate";
                case DELETE -> "onDelete";
            };
            return CompletableFuture.completedFuture(new PublishResult(0, flag + " disabled"));
        }
        return send(Envelope.of(event));
    }

    /**
     * Publishes a custom event.
     *
     * @throws HeraldException 400 {@code unknown_event} for an {@code ns:name} event not declared in namespaces
     */
    public CompletableFuture<PublishResult> publish(BroadcastEvent event) {
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
        return send(Envelope.of(event));
    }

    private CompletableFuture<PublishResult> send(Envelope e) {
        meters.published(PRIMITIVE);
        return broker.publish(topic(e.scopeKey()), e, envelopes).thenApply(PublishResult::of);
    }

    /**
     * Subscribes a connection to a scope with the roles it holds there.
     *
     * @throws HeraldException 1013 {@code overloaded} when the scope cap is reached
     */
    public Registration subscribe(String scopeKey, String userId, Collection<String> roles, Connection connection) {
        Scope.Member member = new Scope.Member(connection, userId, intern(roles), joined.incrementAndGet());
        scopes.compute(scopeKey, (k, scope) -> {
            if (scope == null) {
                if (scopes.size() >= maxScopes) {
                    throw new HeraldException(ErrorCode.OVERLOADED, "Too many scopes.");
                }
                scope = new Scope(k);
                scope.subscription = broker.subscribe(topic(k), envelopes, this::deliver);
            }
            scope.add(member);
            return scope;
        });
        meters.connections(PRIMITIVE).incrementAndGet();
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
        TableRules rules = e.kind() == Envelope.Kind.CHANGE ? tables.get(e.table()) : null;
        if (e.kind() == Envelope.Kind.CHANGE && rules == null) {
            log.warn("dropping a change for table {} that this node does not configure", e.table());
            return CompletableFuture.completedFuture(0);
        }
        Variants variants = new Variants(e, rules, codec, encodings);
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
        if (e.userId() == null) {
            // each loop's task takes its members' array on the loop, so the array is built there, once per change
            Map<Executor, Supplier<List<Scope.Member>>> groups = new HashMap<>(scope.byLoop.size() * 2);
            scope.byLoop.forEach((loop, members) -> groups.put(loop, () -> Arrays.asList(members.members())));
            return fanout.toLoops(PRIMITIVE, start, groups, how);
        }
        Set<Scope.Member> mine = scope.byUser.get(e.userId());
        return fanout.toEach(PRIMITIVE, start, mine == null ? List.of() : mine, how);
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
