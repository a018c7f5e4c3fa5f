package io.herald.broadcast;

import io.herald.EncodedMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The variants of one published event: for each role set met during the fan-out, whether it may see
 * the event and which masked fields it sees; each distinct variant is encoded once and its bytes
 * shared by every socket of that variant. Thread-safe: the loops of one fan-out share it.
 */
final class Variants {
    private static final Object REJECTED = new Object();

    private final Envelope envelope;
    private final TableRules rules;
    private final EventCodec codec;
    private final LongAdder encodings;
    private final Map<RoleSet, Object> byRoles = new ConcurrentHashMap<>();
    private final Map<Long, EncodedMessage> byMask = new ConcurrentHashMap<>();
    private final Map<EncodedMessage, EncodedMessage> withOffset = new ConcurrentHashMap<>();
    private final long offset;

    /** The variants of {@code envelope}, published at {@code offset} of its scope's stream. */
    Variants(Envelope envelope, TableRules rules, EventCodec codec, LongAdder encodings, long offset) {
        this.envelope = envelope;
        this.offset = offset;
        this.rules = rules;
        this.codec = codec;
        this.encodings = encodings;
    }

    /** The message for sockets holding {@code roles}, or null when the role filter excludes them. */
    EncodedMessage forRoles(RoleSet roles) {
        Object v = byRoles.get(roles);
        if (v == null) {
            v = decide(roles);
            byRoles.putIfAbsent(roles, v);
        }
        return v == REJECTED ? null : (EncodedMessage) v;
    }

    /**
     * The message for resumable sockets holding {@code roles}: the same frame with {@code "offset":n}
     * appended as its last field, made once per variant; null when the role filter excludes them.
     */
    EncodedMessage forRolesWithOffset(RoleSet roles) {
        EncodedMessage plain = forRoles(roles);
        if (plain == null) {
            return null;
        }
        return withOffset.computeIfAbsent(plain, p -> {
            encodings.increment();
            return EncodedMessage.text(EventCodec.withOffset(p.bytes(), offset));
        });
    }

    Envelope envelope() {
        return envelope;
    }

    private Object decide(RoleSet roles) {
        if (envelope.kind() == Envelope.Kind.CHANGE) {
            if (!roles.anyOf(rules.config.requiredRoles())) {
                return REJECTED;
            }
            return byMask.computeIfAbsent(rules.visibleMask(roles), this::encodeChange);
        }
        if (!roles.anyOf(envelope.targetRoles())) {
            return REJECTED;
        }
        return byMask.computeIfAbsent(0L, m -> {
            encodings.increment();
            return EncodedMessage.text(codec.encodeBroadcast(envelope));
        });
    }

    private EncodedMessage encodeChange(long visible) {
        encodings.increment();
        return EncodedMessage.text(codec.encodeChange(envelope, rules, visible));
    }
}
