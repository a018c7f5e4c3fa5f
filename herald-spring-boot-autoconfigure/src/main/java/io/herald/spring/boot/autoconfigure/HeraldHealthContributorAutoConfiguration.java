package io.herald.spring.boot.autoconfigure;

import io.herald.server.HeraldServer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code herald} health indicator, with the actuator's health API on the classpath ({@code spring-boot-health},
 * which {@code spring-boot-starter-actuator} brings in Boot 4). Off with {@code management.health.herald.enabled=false}.
 */
@AutoConfiguration(after = HeraldAutoConfiguration.class)
@ConditionalOnClass({HeraldServer.class, HealthIndicator.class})
@ConditionalOnBean(HeraldPublisher.class)
@ConditionalOnEnabledHealthIndicator("herald")
public class HeraldHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "heraldHealthIndicator")
    public HeraldHealthIndicator heraldHealthIndicator(ObjectProvider<HeraldServer> server, ObjectProvider<HeraldServerLifecycle> lifecycle) {
        return new HeraldHealthIndicator(() -> {
            HeraldServer own = server.getIfUnique();
            if (own != null) {
                return own;
            }
            HeraldServerLifecycle l = lifecycle.getIfUnique();
            return l == null ? null : l.serverOrNull();
        }, () -> {
            HeraldServerLifecycle l = lifecycle.getIfUnique();
            return l != null && l.state() == HeraldServerLifecycle.State.DRAINING;
        });
    }
}
