package io.herald.broadcast;

import java.nio.charset.StandardCharsets;

/**
 * How one published envelope appears in the publish tail: where it went, its name, and what a socket holding
 * no role receives of it, or why such a socket receives nothing. The least privileged view, so the admin
 * page shows no more than any subscriber of the scope could see. Immutable.
 *
 * @param payload the role-less subscriber's view as JSON text, null when it gets nothing
 * @param hidden  why {@code payload} is null, else null
 */
record PublishPreview(String target, String event, String payload, String hidden) {

    /** The preview of {@code e}; {@code rules} are its table's (null for a custom event or an unconfigured table). */
    static PublishPreview of(Envelope e, TableRules rules, EventCodec codec) {
        String scope = e.scopeKey().isEmpty() ? "every scope" : e.scopeKey();
        String target = e.userId() == null ? scope : scope + " (user " + e.userId() + ")";
        if (e.kind() == Envelope.Kind.BROADCAST) {
            if (!e.targetRoles().isEmpty()) {
                return new PublishPreview(target, e.event(), null, "targetRoles " + e.targetRoles());
            }
            return new PublishPreview(target, e.event(), e.payload() == null ? "null" : e.payload().toString(), null);
        }
        String event = e.eventType() + " " + e.rules();
        if (rules == null) {
            return new PublishPreview(target, event, null, "table not configured on this node");
        }
        if (!rules.config.requiredRoles().isEmpty()) {
            return new PublishPreview(target, event, null, "requiredRoles " + rules.config.requiredRoles());
        }
        // visible mask 0: no role may see any masked field unmasked
        return new PublishPreview(target, event, new String(codec.encodeChange(e, rules, 0L), StandardCharsets.UTF_8), null);
    }
}
