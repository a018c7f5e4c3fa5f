package io.herald.spring.boot.autoconfigure;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.server.HeraldServer;
import io.herald.server.config.ConfigLoader;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Runs a Herald server inside a Spring Boot application, on its own port, configured by the {@code herald.*}
 * properties (the keys of {@code herald.yaml}), with a {@link HeraldPublisher} for publishing in-process.
 * Off with {@code herald.enabled=false}. Each bean backs off when the application defines its own:
 * <ul>
 * <li>{@code heraldConfig} ({@link ConfigLoader.Loaded}): the configuration; an application may instead define a
 *     {@link HeraldConfig} bean built in code;</li>
 * <li>{@code heraldServerLifecycle} ({@link HeraldServerLifecycle}): starts and drains the server with the context;
 *     not made when the application defines a {@link HeraldServer} bean of its own (it then runs that one);</li>
 * <li>{@code heraldPublisher} ({@link HeraldPublisher}): publishes through whichever server the context has.</li>
 * </ul>
 */
@AutoConfiguration
@ConditionalOnClass(HeraldServer.class)
@ConditionalOnProperty(prefix = "herald", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(HeraldProperties.class)
public class HeraldAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(HeraldAutoConfiguration.class);

    /** The {@code herald.*} properties and the process environment, loaded by Herald's own rules. */
    @Bean
    @ConditionalOnMissingBean({ConfigLoader.Loaded.class, HeraldConfig.class, HeraldServer.class})
    public ConfigLoader.Loaded heraldConfig(ConfigurableEnvironment environment) {
        ConfigLoader.Loaded loaded = HeraldPropertyTree.load(environment);
        loaded.warnings().forEach(w -> log.warn("Herald: {}", w));
        if (loaded.devMode()) {
            // the names only: the generated values are never logged
            log.warn("Herald: no {} was given (herald.server.access-token / herald.auth.jwt.secret, or the environment), so random"
                    + " values are used for this run only (dev mode: the admin page is on and the examples' rooms, channels and table"
                    + " are configured). Set them for anything but a trial.", String.join(" / ", loaded.generated()));
        }
        return loaded;
    }

    @Bean
    @ConditionalOnMissingBean({HeraldServerLifecycle.class, HeraldServer.class})
    public HeraldServerLifecycle heraldServerLifecycle(ObjectProvider<ConfigLoader.Loaded> loaded, ObjectProvider<HeraldConfig> config,
                                                       ObjectProvider<HeraldBuilderCustomizer> customizers,
                                                       ObjectProvider<MeterRegistry> meterRegistry) {
        ConfigLoader.Loaded c = loaded.getIfAvailable(() -> new ConfigLoader.Loaded(config.getObject(), List.of(), List.of()));
        return new HeraldServerLifecycle(c, builder -> customizers.orderedStream().forEach(k -> k.customize(builder)),
                meterRegistry::getIfUnique);
    }

    @Bean
    @ConditionalOnMissingBean
    public HeraldPublisher heraldPublisher(ObjectProvider<HeraldServer> server, ObjectProvider<HeraldServerLifecycle> lifecycle) {
        return new HeraldPublisher(engine(server, lifecycle));
    }

    /** The engine of the application's own {@link HeraldServer} bean if it has one, else of the lifecycle's server. */
    static Supplier<Herald> engine(ObjectProvider<HeraldServer> server, ObjectProvider<HeraldServerLifecycle> lifecycle) {
        return () -> {
            HeraldServer own = server.getIfUnique();
            return (own != null ? own : lifecycle.getObject().server()).herald();
        };
    }
}
