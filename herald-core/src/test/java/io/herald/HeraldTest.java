package io.herald;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.auth.Credentials;
import io.herald.auth.JwtSigner;
import io.herald.auth.Principal;
import io.herald.auth.Ticket;
import io.herald.broadcast.BroadcastEvent;
import io.herald.broadcast.PublishResult;
import io.herald.broadcast.Target;
import io.herald.cluster.InMemoryBroker;
import io.herald.config.AuthConfig;
import io.herald.config.BroadcastConfig;
import io.herald.config.ClusterConfig;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import io.herald.config.StorageConfig;
import io.herald.storage.SqliteStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine as an embedding application uses it: in-process, no network. */
class HeraldTest {
    private static final String ACCESS_TOKEN = "access-token-for-tests-0123456789";
    private static final String JWT_SECRET = "jwt-secret-for-tests-0123456789abcdef";

    @TempDir
    Path dir;

    private HeraldConfig config() {
        return HeraldConfig.empty()
                .withServer(ServerConfig.defaults().withAccessToken(ACCESS_TOKEN))
                .withAuth(AuthConfig.defaults().withJwtSecret(JWT_SECRET))
                .withStorage(new StorageConfig(dir.resolve("herald.db").toString(), null));
    }

    /** The simplest {@link Connection}: writes on the caller's thread and keeps what it was sent. */
    private static final class Inbox implements Connection {
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "inbox";
        }

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public boolean send(EncodedMessage message) {
            messages.add(message.toString());
            return true;
        }

        public void close(int code, String reason) {
        }

        public void close(ErrorCode code, String reason) {
        }
    }

    @Test
    void anAccessTokenAndAJwtSecretAreRequired() {
        assertThatThrownBy(() -> Herald.create(config().withServer(ServerConfig.defaults())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("server.accessToken:");
        assertThatThrownBy(() -> Herald.create(config().withAuth(AuthConfig.defaults())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("auth.jwt.secret:");
    }

    @Test
    void aClusterHostingRoomsWithTheSqliteFileIsRefusedBecauseEachNodeWouldHaveItsOwnFile() {
        HeraldConfig clustered = config().withCluster(new ClusterConfig("n1", new ClusterConfig.Redis("redis://127.0.0.1:1", null, null, null), null));
        assertThatThrownBy(() -> Herald.builder(clustered).broker(new InMemoryBroker())
                .room("Chat", io.herald.room.builtin.RelayRoom::new, null, null).build()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage: a cluster (cluster.redis) that hosts rooms needs storage shared by every node")
                .hasMessageContaining("its own file").hasMessageContaining("storage.url");
        assertThat(dir.resolve("herald.db")).doesNotExist();
    }

    @Test
    void aClusterWithoutRoomsMayKeepTheSqliteFileItDoesNotShare() {
        HeraldConfig clustered = config().withCluster(new ClusterConfig("n1", new ClusterConfig.Redis("redis://127.0.0.1:1", null, null, null), null));
        try (Herald herald = Herald.builder(clustered).broker(new InMemoryBroker()).build()) {
            assertThat(herald.storage()).isInstanceOf(SqliteStorage.class);
        }
    }

    @Test
    void aClusterMayUseAStorageTheEmbedderGives() {
        HeraldConfig clustered = config().withCluster(new ClusterConfig("n1", new ClusterConfig.Redis("redis://127.0.0.1:1", null, null, null), null));
        SqliteStorage given = new SqliteStorage(dir.resolve("given.db"), 1000);
        try (Herald herald = Herald.builder(clustered).broker(new InMemoryBroker()).storage(given).build()) {
            assertThat(herald.storage()).isSameAs(given);
        }
    }

    @Test
    void aPostgresUrlWithoutTheModuleIsAConfigurationError() {
        assertThatThrownBy(() -> Herald.create(config().withStorage(StorageConfig.postgres("jdbc:postgresql://db/app", null, null, null))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("storage.url:").hasMessageContaining("herald-postgres");
    }

    @Test
    void anEmbeddingApplicationPublishesInProcess() throws Exception {
        try (Herald herald = Herald.create(config())) {
            Inbox inbox = new Inbox();
            herald.broadcast().subscribe("org:org_1", "u_1", List.of("owner"), inbox);

            PublishResult r = herald.broadcast()
                    .publish(new BroadcastEvent("deploy-finished", herald.json().readTree("{\"ok\":true}"), Target.organization("org_1"), null))
                    .get(10, TimeUnit.SECONDS);

            assertThat(r.delivered()).isEqualTo(1);
            assertThat(inbox.messages).containsExactly("{\"type\":\"broadcast\",\"event\":\"deploy-finished\",\"payload\":{\"ok\":true}}");
            assertThat(herald.meters().registry().get("herald.deliveries").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void twoEnginesInOneJvmAreIndependent() throws Exception {
        try (Herald one = Herald.create(config()); Herald two = Herald.create(config().withStorage(
                new StorageConfig(dir.resolve("two.db").toString(), null)))) {
            Inbox onOne = new Inbox();
            one.broadcast().subscribe("org:org_1", "u_1", List.of(), onOne);

            var event = new BroadcastEvent("hello", null, Target.organization("org_1"), null);
            assertThat(two.broadcast().publish(event).get(10, TimeUnit.SECONDS).delivered()).isZero();
            assertThat(one.broadcast().publish(event).get(10, TimeUnit.SECONDS).delivered()).isEqualTo(1);
            assertThat(onOne.messages).hasSize(1);
        }
    }

    @Test
    void aSessionJwtSignedWithTheConfiguredSecretAuthenticates() {
        try (Herald herald = Herald.create(config())) {
            String jwt = new JwtSigner(JWT_SECRET).sign(Map.of("sub", "u_1", "organizationId", "org_1",
                    "exp", Instant.now().getEpochSecond() + 60));
            Credentials request = new Credentials() {
                @Override
                public Optional<String> header(String name) {
                    return name.equalsIgnoreCase("Authorization") ? Optional.of("Bearer " + jwt) : Optional.empty();
                }

                @Override
                public Optional<String> query(String name) {
                    return Optional.empty();
                }

                @Override
                public Optional<String> cookie(String name) {
                    return Optional.empty();
                }
            };
            Principal p = herald.sessions().authenticate(request, false);

            assertThat(p.userId()).isEqualTo("u_1");
            assertThat(herald.serverCredential().matches(ACCESS_TOKEN)).isTrue();
        }
    }

    @Test
    void theInjectedClockDrivesTicketExpiry() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        HeraldConfig c = config().withBroadcast(BroadcastConfig.defaults().withTicketTtlSeconds(30).withSingleUseTickets(true));
        try (Herald herald = Herald.builder(c).clock(clock).build()) {
            Principal p = new Principal("u_1", Map.of("org_1", List.of("owner")), null, null, null);
            String ticket = herald.ticketIssuer().issue(p, null).get(10, TimeUnit.SECONDS).ticket();
            String unused = herald.ticketIssuer().issue(p, null).get(10, TimeUnit.SECONDS).ticket();

            Ticket t = herald.tickets().verify(ticket);
            assertThat(t.expiresAt()).isEqualTo(clock.instant().plusSeconds(30));
            assertRefused(ErrorCode.INVALID_TICKET, () -> herald.tickets().verify(ticket));

            clock.advance(Duration.ofSeconds(30));
            assertRefused(ErrorCode.EXPIRED_TICKET, () -> herald.tickets().verify(unused));
        }
    }

    @Test
    void aSuppliedBrokerIsUsedAndClosedWithTheEngine() {
        InMemoryBroker broker = new InMemoryBroker();
        Herald herald = Herald.builder(config()).broker(broker).build();
        int own = broker.topicCount();
        herald.broadcast().subscribe("org:org_1", "u_1", List.of(), new Inbox());
        assertThat(broker.topicCount()).as("the engine's own topics (lane replies) and the scope's").isEqualTo(own + 1);

        herald.close();

        assertThat(broker.topicCount()).isZero();
    }
}
