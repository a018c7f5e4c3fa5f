package io.herald.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broadcast.Target;
import io.herald.config.AuthConfig;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.MaskType;
import io.herald.config.ServerConfig;
import io.herald.config.StorageConfig;
import io.herald.server.HeraldServer;
import io.herald.server.config.ConfigLoader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/** The auto-configuration in an {@link ApplicationContextRunner}: one condition or binding rule per test. */
@ExtendWith(OutputCaptureExtension.class)
class HeraldAutoConfigurationTest {
    static final String ACCESS_TOKEN = "spring-access-token-0123456789abcdef";
    static final String JWT_SECRET = "spring-jwt-secret-0123456789abcdefgh";

    @TempDir
    Path dir;

    /** A loopback server on a free port with its secrets and storage in the test's folder, and an empty process environment. */
    private ApplicationContextRunner runner() {
        return runner(Map.of());
    }

    private ApplicationContextRunner runner(Map<String, Object> environment) {
        return new ApplicationContextRunner()
                .withInitializer(processEnvironment(environment))
                .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class, HeraldHealthContributorAutoConfiguration.class))
                .withPropertyValues("herald.server.host=127.0.0.1", "herald.server.port=0",
                        "herald.server.access-token=" + ACCESS_TOKEN, "herald.auth.jwt.secret=" + JWT_SECRET,
                        "herald.storage.path=" + dir.resolve("herald.db"));
    }

    /** Replaces the process environment the context sees (the loader reads HERALD_*, ACCESS_TOKEN and JWT_SECRET there). */
    static ApplicationContextInitializer<ConfigurableApplicationContext> processEnvironment(Map<String, Object> variables) {
        return context -> context.getEnvironment().getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
    }

    /** Adds {@code yaml} as an application YAML file would be (origins in a text resource). */
    static ApplicationContextInitializer<ConfigurableApplicationContext> yamlFile(String yaml) {
        return context -> {
            try {
                new YamlPropertySourceLoader().load("application.yaml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8), "application.yaml"))
                        .forEach(context.getEnvironment().getPropertySources()::addLast);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void startsWithTheContextAndStopsWithIt() {
        HeraldServerLifecycle[] kept = new HeraldServerLifecycle[1];
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(HeraldServerLifecycle.class).hasSingleBean(HeraldPublisher.class)
                    .hasSingleBean(HeraldProperties.class);
            HeraldServerLifecycle lifecycle = context.getBean(HeraldServerLifecycle.class);
            kept[0] = lifecycle;
            assertThat(lifecycle.isRunning()).isTrue();
            assertThat(lifecycle.server().port()).isPositive();
            // nobody listens: delivered to no socket, but published through the running engine
            assertThat(context.getBean(HeraldPublisher.class).broadcast("hello", Map.of("a", 1), Target.organization("org_1")).join().delivered())
                    .isZero();
        });
        assertThat(kept[0].state()).isEqualTo(HeraldServerLifecycle.State.STOPPED);
    }

    @Test
    void offWhenDisabledByProperty() {
        runner().withPropertyValues("herald.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(HeraldServerLifecycle.class).doesNotHaveBean(HeraldPublisher.class)
                .doesNotHaveBean(ConfigLoader.Loaded.class).doesNotHaveBean(HeraldHealthIndicator.class));
    }

    @Test
    void offWithoutHeraldServerOnTheClasspath() {
        runner().withClassLoader(new FilteredClassLoader(HeraldServer.class)).run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(HeraldServerLifecycle.class).doesNotHaveBean(HeraldPublisher.class));
    }

    @Test
    void backsOffWhenTheApplicationRunsItsOwnServer() {
        runner().withUserConfiguration(OwnServer.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(HeraldServer.class)
                    .doesNotHaveBean(HeraldServerLifecycle.class).doesNotHaveBean(ConfigLoader.Loaded.class);
            // the publisher and the health indicator use the application's server
            assertThat(context.getBean(HeraldPublisher.class).herald()).isSameAs(context.getBean(HeraldServer.class).herald());
            Health health = context.getBean(HeraldHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("port", context.getBean(HeraldServer.class).port());
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnServer {
        @Bean
        HeraldServer ownServer(@org.springframework.beans.factory.annotation.Value("${herald.storage.path}") String storage) {
            return HeraldServer.start(HeraldConfig.empty()
                    .withServer(ServerConfig.defaults().withHost("127.0.0.1").withPort(0).withAccessToken(ACCESS_TOKEN))
                    .withAuth(AuthConfig.defaults().withJwtSecret(JWT_SECRET))
                    .withStorage(new StorageConfig(storage + ".own", null)));
        }
    }

    @Test
    void backsOffWhenTheApplicationDefinesAPublisher() {
        runner().withUserConfiguration(OwnPublisher.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(HeraldPublisher.class).hasBean("ownPublisher")
                    .doesNotHaveBean("heraldPublisher").hasSingleBean(HeraldServerLifecycle.class);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPublisher {
        @Bean
        HeraldPublisher ownPublisher() {
            return new HeraldPublisher(() -> null);
        }
    }

    @Test
    void takesAHeraldConfigBuiltInCode() {
        runner().withUserConfiguration(OwnConfig.class).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(ConfigLoader.Loaded.class);
            assertThat(context.getBean(HeraldServerLifecycle.class).server().herald().config().server().maxPendingBytes()).isEqualTo(4321);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnConfig {
        @Bean
        HeraldConfig ownConfig(@org.springframework.beans.factory.annotation.Value("${herald.storage.path}") String storage) {
            return HeraldConfig.empty()
                    .withServer(ServerConfig.defaults().withHost("127.0.0.1").withPort(0).withAccessToken(ACCESS_TOKEN).withMaxPendingBytes(4321))
                    .withAuth(AuthConfig.defaults().withJwtSecret(JWT_SECRET))
                    .withStorage(new StorageConfig(storage, null));
        }
    }

    @Test
    void bindsHeraldYamlKeysInSpringsRelaxedForms() {
        runner(Map.of("HERALD_SERVER_MAX_PENDING_BYTES", "65536", "HERALD_NOT_A_KEY", "1"))
                .withInitializer(yamlFile("""
                        herald:
                          server:
                            allowedOrigins: [https://app.example.com, https://b.example.com]
                            max-connections: 1234
                          broadcast:
                            ticket-ttl-seconds: 120
                            tables:
                              applications:
                                required-roles: [recruiter, owner]
                                fields: [id, stage, ssn, candidateName]
                                masking:
                                  ssn: { type: ssn, show: { roles: [owner] } }
                                  candidateName: { type: name }
                              "[public.orders]": { on-delete: false }
                              agenda_items: ""     # Spring's YAML loader drops an empty mapping ({}): an empty value stands for it
                            namespaces:
                              screening: [started, complete]
                          rooms:
                            bindings:
                              - { name: CHAT, class-name: io.herald.room.builtin.PresenceRoom }
                              - name: DOC
                                className: io.herald.room.builtin.YjsRoom
                                access: public
                          channels:
                            public: "news:*,examples:*"
                        """))
                .withPropertyValues("herald.lanes.max-sockets-per-user=7")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    HeraldConfig c = context.getBean(ConfigLoader.Loaded.class).config();
                    assertThat(c.server().allowedOrigins()).containsExactly("https://app.example.com", "https://b.example.com");
                    assertThat(c.server().maxConnections()).isEqualTo(1234);
                    // the process environment's HERALD_* as for the standalone server; an unknown one only warns
                    assertThat(c.server().maxPendingBytes()).isEqualTo(65536);
                    assertThat(context.getBean(ConfigLoader.Loaded.class).warnings())
                            .contains("HERALD_NOT_A_KEY does not name a configuration key; ignored");
                    assertThat(c.server().accessToken()).isEqualTo(ACCESS_TOKEN);
                    assertThat(c.broadcast().ticketTtlSeconds()).isEqualTo(120L);
                    assertThat(c.broadcast().tables()).containsOnlyKeys("applications", "public.orders", "agenda_items");
                    var applications = c.broadcast().tables().get("applications");
                    assertThat(applications.requiredRoles()).containsExactly("recruiter", "owner");
                    assertThat(applications.fields()).containsExactly("id", "stage", "ssn", "candidateName");
                    assertThat(applications.masking()).containsOnlyKeys("ssn", "candidateName");
                    assertThat(applications.masking().get("ssn").type()).isEqualTo(MaskType.SSN);
                    assertThat(applications.masking().get("ssn").show().roles()).containsExactly("owner");
                    assertThat(applications.masking().get("candidateName").type()).isEqualTo(MaskType.NAME);
                    assertThat(c.broadcast().tables().get("public.orders").onDelete()).isFalse();
                    assertThat(c.broadcast().tables().get("agenda_items").requiredRoles()).isEmpty();
                    assertThat(c.broadcast().namespaces()).containsEntry("screening", List.of("started", "complete"));
                    assertThat(c.rooms().bindings()).extracting(b -> b.name()).containsExactly("CHAT", "DOC");
                    assertThat(c.rooms().bindings().get(1).className()).isEqualTo("io.herald.room.builtin.YjsRoom");
                    assertThat(c.rooms().bindings().get(1).access().mode()).isEqualTo("public");
                    assertThat(c.channels().publicChannels()).containsExactly("news:*", "examples:*");
                    assertThat(c.lanes().maxSocketsPerUser()).isEqualTo(7);
                });
    }

    @Test
    void aListComesWholeFromTheFirstSourceThatHasIt() {
        runner().withInitializer(yamlFile("""
                        herald:
                          server:
                            allowed-origins: [https://a.example.com, https://b.example.com, https://c.example.com]
                            max-connections: 10
                        """))
                .withPropertyValues("herald.server.allowed-origins[0]=https://z.example.com", "herald.server.trusted-proxies=10.0.0.1,10.0.0.2")
                .withSystemProperties("herald.server.trusted-proxies[0]=10.9.9.9", "herald.server.trusted-proxies[2]=10.9.9.8")
                .run(context -> {
                    HeraldConfig c = context.getBean(ConfigLoader.Loaded.class).config();
                    assertThat(c.server().allowedOrigins()).containsExactly("https://z.example.com");
                    assertThat(c.server().maxConnections()).isEqualTo(10);
                    // written as one value in the first source that has it: whole too
                    assertThat(c.server().trustedProxies()).containsExactly("10.0.0.1", "10.0.0.2");
                });
    }

    @Test
    void aSystemPropertySetsAKeyAndOneThatNamesNoneOnlyWarns() {
        // system properties are ambient, as HERALD_* variables are: a build's -Dherald.examples.skip reaches the JVMs it forks
        runner().withSystemProperties("herald.server.max-connections=55", "herald.examples.skip=true", "herald.server.colour=blue")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ConfigLoader.Loaded loaded = context.getBean(ConfigLoader.Loaded.class);
                    assertThat(loaded.config().server().maxConnections()).isEqualTo(55);
                    assertThat(loaded.warnings()).contains(
                            "system property herald.examples.skip does not name a configuration key; ignored",
                            "system property herald.server.colour does not name a configuration key; ignored");
                });
    }

    @Test
    void anUnknownKeyStopsTheStartNamingIt() {
        runner().withPropertyValues("herald.server.colour=blue").run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            assertThat(failure).rootCause().isInstanceOf(ConfigException.class).hasMessage("server.colour: unknown key");
            FailureAnalysis analysis = new HeraldConfigFailureAnalyzer().analyze(failure);
            assertThat(analysis.getDescription()).isEqualTo("Herald configuration error: herald.server.colour: unknown key");
        });
    }

    @Test
    void aBadValueStopsTheStartWithTheLoadersMessage() {
        runner().withPropertyValues("herald.broadcast.tables.applications.masking.ssn.type=rot13").run(context -> {
            assertThat(context).hasFailed();
            // the loader's own message, as for herald.yaml
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ConfigException.class)
                    .hasMessage("broadcast.tables.applications.masking.ssn.type: 'rot13' is not one of ssn, email, phone, name, redact");
        });
    }

    @Test
    void aSecretWrittenInAFileIsRefused() {
        new ApplicationContextRunner().withInitializer(processEnvironment(Map.of()))
                .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class))
                .withInitializer(yamlFile("herald: { server: { access-token: literal-token-0123456789abcdef0123 } }"))
                .withPropertyValues("herald.server.host=127.0.0.1", "herald.server.port=0", "herald.storage.path=" + dir.resolve("herald.db"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ConfigException.class)
                            .hasMessageStartingWith("server.accessToken: secrets are not written in application properties")
                            .hasMessageNotContaining("literal-token");
                });
    }

    @Test
    void aSecretInAFileMayBeAPlaceholder() {
        new ApplicationContextRunner().withInitializer(processEnvironment(Map.of("APP_JWT_SECRET", JWT_SECRET)))
                .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class))
                .withInitializer(yamlFile("""
                        herald:
                          server: { access-token: "${vault.herald-token}", host: 127.0.0.1, port: 0 }
                          auth: { jwt: { secret: "${APP_JWT_SECRET}" } }
                        """))
                .withPropertyValues("vault.herald-token=" + ACCESS_TOKEN, "herald.storage.path=" + dir.resolve("herald.db"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ConfigLoader.Loaded loaded = context.getBean(ConfigLoader.Loaded.class);
                    assertThat(loaded.devMode()).isFalse();
                    assertThat(loaded.config().server().accessToken()).isEqualTo(ACCESS_TOKEN);
                    assertThat(loaded.config().auth().jwt().secret()).isEqualTo(JWT_SECRET);
                });
    }

    @Test
    void herald_yamlsDefaultSyntaxIsRefusedWithAHint() {
        runner().withPropertyValues("herald.server.transport=${TRANSPORT:-nio}").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ConfigException.class)
                    .hasMessageContaining("server.transport").hasMessageContaining("${NAME:default}");
        });
    }

    @Test
    void secretsFromTheEnvironmentAsForTheStandaloneServer() {
        new ApplicationContextRunner()
                .withInitializer(processEnvironment(Map.of("ACCESS_TOKEN", ACCESS_TOKEN, "JWT_SECRET", JWT_SECRET)))
                .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class))
                .withPropertyValues("herald.server.host=127.0.0.1", "herald.server.port=0", "herald.storage.path=" + dir.resolve("herald.db"))
                .run(context -> {
                    ConfigLoader.Loaded loaded = context.getBean(ConfigLoader.Loaded.class);
                    assertThat(loaded.devMode()).isFalse();
                    assertThat(loaded.config().server().accessToken()).isEqualTo(ACCESS_TOKEN);
                });
    }

    @Test
    void withoutSecretsItRunsInDevModeAndLogsNoSecret(CapturedOutput output) {
        new ApplicationContextRunner().withInitializer(processEnvironment(Map.of()))
                .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class))
                .withPropertyValues("herald.server.host=127.0.0.1", "herald.server.port=0", "herald.storage.path=" + dir.resolve("herald.db"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ConfigLoader.Loaded loaded = context.getBean(ConfigLoader.Loaded.class);
                    assertThat(loaded.generated()).containsExactly("ACCESS_TOKEN", "JWT_SECRET");
                    assertThat(output).contains("Herald: no ACCESS_TOKEN / JWT_SECRET was given")
                            .doesNotContain(loaded.config().server().accessToken())
                            .doesNotContain(loaded.config().auth().jwt().secret());
                });
    }

    @Test
    void healthIndicatorWithTheActuatorsHealthApi() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(HeraldHealthIndicator.class);
            HeraldServerLifecycle lifecycle = context.getBean(HeraldServerLifecycle.class);
            Health health = context.getBean(HeraldHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("state", "ready").containsEntry("port", lifecycle.server().port())
                    .containsKeys("transport", "connections");
            assertThat(health.getDetails().get("connections")).isEqualTo(Map.of("channels", 0, "lanes", 0, "rooms", 0, "http", 0));
            // draining: DOWN before the server itself says so
            Health draining = new HeraldHealthIndicator(lifecycle::server, () -> true).health();
            assertThat(draining.getStatus()).isEqualTo(Status.DOWN);
            assertThat(draining.getDetails()).containsEntry("state", "draining");
            context.stop();
            Health stopped = context.getBean(HeraldHealthIndicator.class).health();
            assertThat(stopped.getStatus()).isEqualTo(Status.DOWN);
            assertThat(stopped.getDetails()).containsEntry("state", "stopped");
        });
    }

    @Test
    void noHealthIndicatorWithoutTheActuatorsHealthApi() {
        runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(HeraldServerLifecycle.class).doesNotHaveBean(HeraldHealthIndicator.class));
    }

    @Test
    void healthIndicatorOffByManagementProperty() {
        runner().withPropertyValues("management.health.herald.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(HeraldServerLifecycle.class).doesNotHaveBean(HeraldHealthIndicator.class));
    }

    @Test
    void heraldsMetersGoToTheApplicationsRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner().withBean(MeterRegistry.class, () -> registry).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(registry.find("herald.http.connections").gauge()).isNotNull();
            context.getBean(HeraldPublisher.class).broadcast("hello", null, Target.organization("org_1")).join();
            assertThat(registry.find("herald.messages.published").counters()).isNotEmpty();
            // the JVM's meters stay on Herald's /metrics: the application binds its own
            assertThat(registry.find("jvm.memory.used").meters()).isEmpty();
            context.stop();
            // taken out with the server, so a restart binds fresh ones
            assertThat(registry.find("herald.http.connections").gauge()).isNull();
        });
    }

    @Test
    void customizersCompleteTheEngine() {
        AtomicBoolean customized = new AtomicBoolean();
        runner().withBean(HeraldBuilderCustomizer.class, () -> builder -> customized.set(true)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(customized).isTrue();
        });
    }
}
