package io.herald.channel;

import io.herald.auth.Credentials;
import io.herald.auth.Principal;
import java.util.Optional;

/**
 * Decides who may read a channel, before the stream opens. Return the principal to allow (empty
 * {@code Optional} of a principal is allowed for public channels via {@link Decision#anonymous()}),
 * throw {@link io.herald.HeraldException} with 401 for missing or invalid credentials and 403 for a
 * refusal. Anything else thrown is a refusal (403). Implementations must be thread-safe and quick
 * (they run on an event loop).
 */
@FunctionalInterface
public interface ChannelAuthorizer {

    /** Allows or refuses reading {@code channel} with the credentials of {@code request}. */
    Decision authorize(String channel, Credentials request);

    /** An allowed subscriber: the user, or nobody on a public channel. */
    record Decision(Optional<Principal> principal) {
        public static Decision anonymous() {
            return new Decision(Optional.empty());
        }

        public static Decision of(Principal p) {
            return new Decision(Optional.of(p));
        }
    }
}
