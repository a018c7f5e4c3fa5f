package io.herald.spring.boot.autoconfigure;

import io.herald.Herald;

/**
 * Completes the engine in code before it is built: rooms bound to classes of the application, a
 * {@link io.herald.channel.ChannelAuthorizer}, another storage. Every bean of this type is applied, in
 * {@link org.springframework.core.annotation.Order} order, when the server starts.
 */
@FunctionalInterface
public interface HeraldBuilderCustomizer {
    void customize(Herald.Builder builder);
}
