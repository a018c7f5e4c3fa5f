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

    Variants(Envelope envelope, TableRules rules, EventCodec codec, LongAdder encodings) {
        this.envelope = envelope;
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
