package io.herald.spring.boot.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code herald.*} keys the starter reads itself. Every other key under {@code herald} is a key of
 * {@code herald.yaml} ({@code herald.server.port}, {@code herald.broadcast.tables...}, {@code herald.rooms.bindings...})
 * and is bound by Herald's own loader, with its checks and its errors (docs/spring-boot.md).
 */
@ConfigurationProperties("herald")
public class HeraldProperties {
    /** Whether to run a Herald server in this application. */
    private boolean enabled = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
