package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.AuthConfig;
import io.herald.config.CdcConfig;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading {@code herald.yaml} with an explicit environment: substitution, overrides, secrets and errors. */
class ConfigLoaderTest {
    private static final Map<String, String> SECRETS = Map.of(
            "ACCESS_TOKEN", "env-access-token-0123456789abcdef", "JWT_SECRET", "env-jwt-secret-0123456789abcdefgh");

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("herald.yaml"), text);
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>(SECRETS);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static HeraldConfig load(Path file, Map<String, String> env) {
        return new ConfigLoader(env).load(file, null).config();
    }

    @Test
    void substitutesVariablesAndTheirDefaultsInValues() throws IOException {
        Path file = yaml("""
                server:
                  host: ${BIND_HOST}
                  port: ${PORT:-7000}
                  allowedOrigins: ["${APP_ORIGIN}", "https://static.example.com"]
                datasources:
                  app: { url: "jdbc:sqlite:${DATA_DIR:-/var/lib/herald}/app.db" }
                """);

        HeraldConfig c = load(file, env("BIND_HOST", "127.0.0.1", "APP_ORIGIN", "https://app.example.com"));

        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(7000);
        assertThat(c.server().allowedOrigins()).containsExactly("https://app.example.com", "https://static.example.com");
        assertThat(c.datasources().get("app").url()).isEqualTo("jdbc:sqlite:/var/lib/herald/app.db");
    }

    @Test
    void variableFromTheEnvironmentWinsOverItsDefault() throws IOException {
        Path file = yaml("server: { port: \"${PORT:-7000}\" }");
        assertThat(load(file, env("PORT", "7100")).server().port()).isEqualTo(7100);
    }

    @Test
    void missingVariableIsAnErrorNamingTheVariableAndTheKey() throws IOException {
        Path file = yaml("server:\n  host: ${HERALD_TEST_UNSET_HOST}\n");

        assertThatThrownBy(() -> load(file, env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HERALD_TEST_UNSET_HOST")
                .hasMessageContaining("server.host");
    }

    @Test
    void heraldServerPortOverridesTheFile() throws IOException {
        Path file = yaml("server: { port: 7000 }");
        assertThat(load(file, env("HERALD_SERVER_PORT", "9000")).server().port()).isEqualTo(9000);
    }

    @Test
    void multiWordKeysAreOverriddenByTheirUnderscoredNames() throws IOException {
        HeraldConfig c = load(yaml("server: { maxPendingBytes: 1024 }"),
                env("HERALD_SERVER_MAX_PENDING_BYTES", "65536", "HERALD_BROADCAST_TICKET_TTL_SECONDS", "5"));

        assertThat(c.server().maxPendingBytes()).isEqualTo(65536);
        assertThat(c.broadcast().ticketTtlSeconds()).isEqualTo(5);
    }

    @Test
    void theRoomLeaseIsReadFromTheFileAndTheEnvironmentAndRangeChecked() throws IOException {
        Path file = yaml("rooms: { leaseMs: 30000 }");
        assertThat(load(null, env()).rooms().leaseMs()).isEqualTo(10_000L);
        assertThat(load(file, env()).rooms().leaseMs()).isEqualTo(30_000L);
        assertThat(load(file, env("HERALD_ROOMS_LEASE_MS", "5000")).rooms().leaseMs()).isEqualTo(5_000L);
        assertThatThrownBy(() -> load(null, env("HERALD_ROOMS_LEASE_MS", "999")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rooms.leaseMs");
    }

    @Test
    void theYjsRelayWindowIsReadFromTheFileAndTheEnvironmentAndRangeChecked() throws IOException {
        Path file = yaml("rooms: { yjs: { relayWindowMs: 50 } }");
        assertThat(load(file, env()).rooms().yjs().relayWindowMs()).isEqualTo(50);
        assertThat(load(file, env("HERALD_ROOMS_YJS_RELAY_WINDOW_MS", "0")).rooms().yjs().relayWindowMs()).isZero();
        assertThat(load(null, env()).rooms().yjs().relayWindowMs()).isEqualTo(20);
        assertThatThrownBy(() -> load(null, env("HERALD_ROOMS_YJS_RELAY_WINDOW_MS", "5000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rooms.yjs.relayWindowMs");
    }

    @Test
    void theTlsSectionIsReadFromTheFileAndItsKeysFromTheEnvironment() throws IOException {
        Path file = yaml("""
                server:
                  tls:
                    certFile: /etc/herald/tls/tls.crt
                    keyFile: /etc/herald/tls/tls.key
                    caFile: /etc/herald/tls/ca.crt
                    reloadIntervalMs: 5000
                """);

        assertThat(load(file, env()).server().tls())
                .isEqualTo(new ServerConfig.Tls("/etc/herald/tls/tls.crt", "/etc/herald/tls/tls.key", "/etc/herald/tls/ca.crt", 5000L));
        assertThat(load(file, env("HERALD_SERVER_TLS_CERT_FILE", "/run/certs/fullchain.pem")).server().tls().certFile())
                .isEqualTo("/run/certs/fullchain.pem");
        assertThat(load(null, env("HERALD_SERVER_TLS_CERT_FILE", "/c.pem", "HERALD_SERVER_TLS_KEY_FILE", "/k.pem")).server().tls())
                .isEqualTo(new ServerConfig.Tls("/c.pem", "/k.pem", null, ServerConfig.Tls.DEFAULT_RELOAD_INTERVAL_MS));
        assertThat(load(null, env()).server().tls()).as("no tls section: plain HTTP").isNull();
    }

    @Test
    void aTlsSectionWithoutItsKeyFileIsRefusedNamingTheKey() throws IOException {
        assertThatThrownBy(() -> load(yaml("server: { tls: { certFile: /c.pem } }"), env()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.tls.keyFile: is required when server.tls is set");
        assertThatThrownBy(() -> load(yaml("server: { tls: { certFile: /c.pem, keyFile: /k.pem, reloadIntervalMs: 0 } }"), env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.reloadIntervalMs: must be positive");
    }

    @Test
    void theClusterSectionIsReadFromTheFileAndTheEnvironment() throws IOException {
        Path file = yaml("""
                cluster:
                  nodeId: node-a
                  redis:
                    urls: ["redis://r1:6379", "redis://r2:6379"]
                    cluster: true
                    prefix: prod
                  replyTimeoutMs: 250
                """);

        HeraldConfig c = load(file, env("HERALD_CLUSTER_NODE_ID", "node-b"));

        assertThat(c.cluster().nodeId()).isEqualTo("node-b");
        assertThat(c.cluster().redis().urls()).containsExactly("redis://r1:6379", "redis://r2:6379");
        assertThat(c.cluster().redis().cluster()).isTrue();
        assertThat(c.cluster().redis().prefix()).isEqualTo("prod");
        assertThat(c.cluster().replyTimeoutMs()).isEqualTo(250);
        assertThat(load(yaml("cluster:\n  redis:\n    url: redis://one:6379\n"), env()).cluster().redis().endpoints())
                .containsExactly("redis://one:6379");
    }

    @Test
    void thePostgresStorageIsReadFromTheFileWithItsPasswordFromTheEnvironment() throws IOException {
        Path file = yaml("""
                storage:
                  url: jdbc:postgresql://db:5432/app
                  user: herald
                  password: ${HERALD_STORAGE_PASSWORD}
                  schema: rooms
                """);

        HeraldConfig c = load(file, env("HERALD_STORAGE_PASSWORD", "pg-secret-from-env", "HERALD_STORAGE_POOL_SIZE", "3"));

        assertThat(c.storage().postgres()).isTrue();
        assertThat(c.storage().url()).isEqualTo("jdbc:postgresql://db:5432/app");
        assertThat(c.storage().user()).isEqualTo("herald");
        assertThat(c.storage().password()).isEqualTo("pg-secret-from-env");
        assertThat(c.storage().schema()).isEqualTo("rooms");
        assertThat(c.storage().poolSize()).isEqualTo(3);
        HeraldConfig fromEnv = load(null, env("HERALD_STORAGE_URL", "jdbc:postgresql://other/app", "HERALD_STORAGE_SCHEMA", "h2"));
        assertThat(fromEnv.storage().url()).isEqualTo("jdbc:postgresql://other/app");
        assertThat(fromEnv.storage().schema()).isEqualTo("h2");
    }

    @Test
    void theEnvironmentsStorageReplacesTheOtherOneOfTheFileButBothFromTheEnvironmentAreRefused() throws IOException {
        Path sqliteFile = yaml("storage:\n  path: ./data/file.db\n");
        HeraldConfig toPostgres = load(sqliteFile, env("HERALD_STORAGE_URL", "jdbc:postgresql://db/app"));
        assertThat(toPostgres.storage().postgres()).isTrue();
        assertThat(toPostgres.storage().url()).isEqualTo("jdbc:postgresql://db/app");

        Path postgresFile = yaml("storage:\n  url: jdbc:postgresql://db/app\n");
        HeraldConfig toSqlite = load(postgresFile, env("HERALD_STORAGE_PATH", "./data/env.db"));
        assertThat(toSqlite.storage().postgres()).isFalse();
        assertThat(toSqlite.storage().path()).isEqualTo("./data/env.db");

        assertThatThrownBy(() -> load(null, env("HERALD_STORAGE_URL", "jdbc:postgresql://db/app", "HERALD_STORAGE_PATH", "./x.db")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
    }

    @Test
    void aStoragePasswordWrittenInTheFileIsRefusedWithoutEchoingIt() throws IOException {
        assertThatThrownBy(() -> load(yaml("storage: { url: 'jdbc:postgresql://db/app', password: literal-pg-password }"), env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("storage.password: secrets are not written in the config file: use ${HERALD_STORAGE_PASSWORD}")
                .hasMessageNotContaining("literal-pg-password");
    }

    @Test
    void changeCaptureIsReadFromTheFileWithItsPasswordFromTheEnvironmentWithoutAWarning() throws IOException {
        Path file = yaml("""
                cdc:
                  postgres:
                    url: jdbc:postgresql://db:5432/app
                    user: herald
                    password: ${HERALD_CDC_PASSWORD}
                    slot: herald_app
                    tables:
                      public.applications: { organizationColumn: organization_id }
                      event_notes: { scopeKey: "events:{event_id}" }
                      public.inbox: { organizationColumn: org_id, userColumn: recipient_id }
                broadcast:
                  tables:
                    applications: { requiredRoles: [owner] }
                    event_notes: {}
                    public.inbox: {}
                """);
        ConfigLoader.Loaded loaded = new ConfigLoader(env("HERALD_CDC_PASSWORD", "cdc-secret-from-env")).load(file, null);
        CdcConfig.Postgres pg = loaded.config().cdc().postgres();
        assertThat(loaded.config().cdc().enabled()).isTrue();
        assertThat(pg.password()).isEqualTo("cdc-secret-from-env");
        assertThat(pg.slot()).isEqualTo("herald_app");
        assertThat(pg.publication()).isEqualTo("herald");
        assertThat(pg.tables().keySet()).containsExactly("public.applications", "public.event_notes", "public.inbox");
        assertThat(pg.tables().get("public.event_notes").scopeColumns()).containsExactly("event_id");
        assertThat(pg.toString()).doesNotContain("cdc-secret-from-env");
        // a variable the file names is a value, not an unknown key
        assertThat(loaded.warnings()).isEmpty();

        assertThatThrownBy(() -> load(yaml("cdc: { postgres: { url: 'jdbc:postgresql://db/app', password: literal-cdc } }"), env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cdc.postgres.password: secrets are not written in the config file: use ${HERALD_CDC_PASSWORD}")
                .hasMessageNotContaining("literal-cdc");
    }

    @Test
    void changeCaptureSettingsAreCheckedWithTheirPaths() {
        String rules = "broadcast: { tables: { t: {} } }\n";
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:mysql://db/app', tables: { t: { organizationColumn: o } } } }"), env()))
                .hasMessageStartingWith("cdc.postgres.url: must be a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:postgresql://db/app' } }"), env()))
                .hasMessageStartingWith("cdc.postgres.tables: name at least one table");
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:postgresql://db/app', slot: 'Bad-Slot', tables: { t: { organizationColumn: o } } } }"), env()))
                .hasMessageStartingWith("cdc.postgres.slot:");
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:postgresql://db/app', tables: { t: { organizationColumn: o, scopeKey: 'x:{y}' } } } }"), env()))
                .hasMessageStartingWith("cdc.postgres.tables.t: set exactly one of organizationColumn and scopeKey");
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:postgresql://db/app', tables: { t: { scopeKey: 'events' } } } }"), env()))
                .hasMessageStartingWith("cdc.postgres.tables.t.scopeKey: must look like <kind>:{column}");
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:postgresql://db/app', tables: { t: { scopeKey: 'events:fixed' } } } }"), env()))
                .hasMessageStartingWith("cdc.postgres.tables.t.scopeKey: names no column");
        assertThatThrownBy(() -> load(yaml(rules + "cdc: { postgres: { url: 'jdbc:postgresql://db/app', leaderRetryMs: 20000, tables: { t: { organizationColumn: o } } } }"), env()))
                .hasMessageStartingWith("cdc.postgres.leaderRetryMs: must be 100..8000");
    }

    @Test
    void listKeysAreOverriddenByCommaSeparatedValues() {
        HeraldConfig joined = load(null, env("HERALD_SERVER_ALLOWEDORIGINS", "https://a.example.com,https://b.example.com"));
        HeraldConfig underscored = load(null, env("HERALD_SERVER_ALLOWED_ORIGINS", "https://a.example.com, https://b.example.com,"));

        assertThat(joined.server().allowedOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
        assertThat(underscored.server().allowedOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
    }

    @Test
    void portArgumentWinsOverEnvironmentAndFile() throws IOException {
        Path file = yaml("server: { port: 7000 }");
        HeraldConfig c = new ConfigLoader(env("HERALD_SERVER_PORT", "9000")).load(file, 9100).config();
        assertThat(c.server().port()).isEqualTo(9100);
    }

    @Test
    void unknownKeyIsRejectedWithItsPath() throws IOException {
        Path file = yaml("""
                broadcast:
                  tables:
                    applications:
                      onInsert: true
                      bogus: 1
                """);

        assertThatThrownBy(() -> load(file, env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broadcast.tables.applications.bogus");
    }

    @Test
    void unknownTopLevelKeyIsRejectedWithItsName() throws IOException {
        Path file = yaml("brodcast: {}\n");
        assertThatThrownBy(() -> load(file, env())).isInstanceOf(ConfigException.class).hasMessageContaining("brodcast");
    }

    @Test
    void aHeraldVariableThatNamesNoKeyIsIgnoredWithOneWarningLine() {
        ConfigLoader.Loaded loaded = new ConfigLoader(env("HERALD_SERVER_BOGUS", "1", "HERALD_SERVERPORT", "1", "HERALD_SERVER_PORT", "9000"))
                .load(null, null);
        assertThat(loaded.config().server().port()).isEqualTo(9000);
        assertThat(loaded.warnings()).containsExactly(
                "HERALD_SERVERPORT does not name a configuration key; ignored",
                "HERALD_SERVER_BOGUS does not name a configuration key; ignored");
    }

    @Test
    void theLauncherAndLoggerVariablesAreNotKeysAndGetNoWarning() {
        ConfigLoader.Loaded loaded = new ConfigLoader(env("HERALD_CONFIG", "/nowhere.yaml", "HERALD_LOG_LEVEL", "DEBUG",
                "HERALD_JAVA_OPTS", "-Xmx512m -XX:+UseZGC")).load(null, null);
        assertThat(loaded.config().server().port()).isEqualTo(8080);
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void invalidValueIsRejectedWithItsPath() throws IOException {
        assertThatThrownBy(() -> load(yaml("server: { port: eighty }"), env()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> load(yaml("server: { port: 70000 }"), env()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> load(null, env("HERALD_SERVER_MAX_PENDING_BYTES", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.maxPendingBytes");
    }

    @Test
    void secretsComeFromAccessTokenAndJwtSecret() {
        ConfigLoader.Loaded loaded = new ConfigLoader(env()).load(null, null);

        assertThat(loaded.config().server().accessToken()).isEqualTo("env-access-token-0123456789abcdef");
        assertThat(loaded.config().auth().jwt().secret()).isEqualTo("env-jwt-secret-0123456789abcdefgh");
        assertThat(loaded.generated()).isEmpty();
        assertThat(loaded.devMode()).isFalse();
    }

    @Test
    void secretsMayBeSubstitutedFromOtherVariables() throws IOException {
        Path file = yaml("server: { accessToken: \"${MY_TOKEN}\" }\nauth: { jwt: { secret: \"${MY_JWT}\" } }\n");
        ConfigLoader.Loaded loaded = new ConfigLoader(Map.of("MY_TOKEN", "token-from-my-token-0123456789abcdef", "MY_JWT", "jwt-from-my-jwt-0123456789abcdefgh"))
                .load(file, null);

        assertThat(loaded.config().server().accessToken()).isEqualTo("token-from-my-token-0123456789abcdef");
        assertThat(loaded.config().auth().jwt().secret()).isEqualTo("jwt-from-my-jwt-0123456789abcdefgh");
        assertThat(loaded.devMode()).isFalse();
    }

    @Test
    void secretsWrittenLiterallyInTheFileAreRejectedWithTheirPath() throws IOException {
        assertThatThrownBy(() -> load(yaml("server: { accessToken: literal-token-0123456789 }"), env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.accessToken")
                .hasMessageNotContaining("literal-token-0123456789");
        assertThatThrownBy(() -> load(yaml("auth: { jwt: { secret: literal-jwt-secret } }"), env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.secret")
                .hasMessageNotContaining("literal-jwt-secret");
    }

    @Test
    void absentSecretsAreGeneratedAndReported() {
        ConfigLoader.Loaded first = new ConfigLoader(Map.of()).load(null, null);
        ConfigLoader.Loaded second = new ConfigLoader(Map.of()).load(null, null);

        assertThat(first.generated()).containsExactlyInAnyOrder("ACCESS_TOKEN", "JWT_SECRET");
        assertThat(first.devMode()).isTrue();
        assertThat(first.config().server().accessToken()).hasSizeGreaterThanOrEqualTo(32)
                .isNotEqualTo(second.config().server().accessToken());
        assertThat(first.config().auth().jwt().secret()).hasSizeGreaterThanOrEqualTo(32)
                .isNotEqualTo(first.config().server().accessToken());
    }

    @Test
    void onlyTheMissingSecretIsGenerated() {
        ConfigLoader.Loaded loaded = new ConfigLoader(Map.of("JWT_SECRET", "only-the-jwt-secret-0123456789abcd")).load(null, null);
        assertThat(loaded.generated()).containsExactly("ACCESS_TOKEN");
        assertThat(loaded.config().auth().jwt().secret()).isEqualTo("only-the-jwt-secret-0123456789abcd");
    }

    @Test
    void noFileMeansTheEmbeddedDefaults() {
        HeraldConfig c = load(null, env());
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(c.broadcast().ticketTtlSeconds()).isEqualTo(60);
        assertThat(c.auth().cookie().name()).isEqualTo("herald_session");
    }

    @Test
    void missingFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> load(missing, env())).isInstanceOf(ConfigException.class).hasMessageContaining("absent.yaml");
    }

    @Test
    void fullBroadcastSectionOfTheIssueLoads() throws IOException {
        Path file = yaml("""
                broadcast:
                  wsTicket: { role: attendee, requestField: eventId, scopeTable: events, check: { datasource: app, sql: "SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId AND role = :role" } }
                  tables:
                    applications:
                      onInsert: true
                      onUpdate: true
                      onDelete: false
                      requiredRoles: [recruiter, hiring-manager, owner]
                      fields: [id, candidateId, stage, ssn]
                      masking:
                        ssn: { type: ssn, show: { roles: [owner] } }
                  namespaces:
                    screening: [started, progress, complete]
                datasources: { app: { url: "jdbc:sqlite:./app.db" } }
                """);

        HeraldConfig c = load(file, env());

        var table = c.broadcast().tables().get("applications");
        assertThat(table.onDelete()).isFalse();
        assertThat(table.requiredRoles()).containsExactly("recruiter", "hiring-manager", "owner");
        assertThat(table.masking().get("ssn").show().roles()).containsExactly("owner");
        assertThat(c.broadcast().namespaces().get("screening")).containsExactly("started", "progress", "complete");
        assertThat(c.broadcast().wsTicket().scopeTable()).isEqualTo("events");
    }

    @Test
    void identityProviderKeysIssuerAudienceAlgorithmsAndClaimLocationsAreReadFromYaml() throws IOException {
        Path file = yaml("""
                auth:
                  jwt:
                    jwksUrl: https://issuer.example/.well-known/jwks.json
                    issuer: https://issuer.example/
                    audience: herald
                    algorithms: [RS256, ES256]
                    claims: { userId: sub, orgs: /app_metadata/orgs, organizationId: org_id, roles: roles }
                """);

        var jwt = load(file, env()).auth().jwt();

        assertThat(jwt.jwksUrl()).isEqualTo("https://issuer.example/.well-known/jwks.json");
        assertThat(jwt.issuer()).isEqualTo("https://issuer.example/");
        assertThat(jwt.audience()).isEqualTo("herald");
        assertThat(jwt.allowedAlgorithms()).containsExactly("RS256", "ES256");
        assertThat(jwt.claims()).isEqualTo(new AuthConfig.Claims("sub", "/app_metadata/orgs", "org_id", "roles", "name"));
    }

    @Test
    void withAJwksUrlAndNoJwtSecretNoSecretIsGeneratedAndHmacIsOff() {
        ConfigLoader.Loaded loaded = new ConfigLoader(Map.of("ACCESS_TOKEN", "env-access-token-0123456789abcdef",
                "HERALD_AUTH_JWT_JWKSURL", "https://issuer.example/.well-known/jwks.json")).load(null, null);

        assertThat(loaded.generated()).isEmpty();
        assertThat(loaded.config().auth().jwt().secret()).isNull();
        assertThat(loaded.config().auth().jwt().allowedAlgorithms()).containsExactly("RS256", "ES256");
    }

    @Test
    void anUnknownJwtAlgorithmIsAnErrorNamingTheAlgorithmsKey() throws IOException {
        Path file = yaml("auth: { jwt: { jwksUrl: \"https://issuer.example/jwks\", algorithms: [RS256, HS257] } }");
        assertThatThrownBy(() -> load(file, env()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("auth.jwt.algorithms: unknown algorithm 'HS257'");
    }

    @Test
    void aShortJwtSecretOrAccessTokenFromTheEnvironmentIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> load(null, env("JWT_SECRET", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("auth.jwt.secret: must be at least 32 bytes (RFC 7518 §3.2)");
        assertThatThrownBy(() -> load(null, env("ACCESS_TOKEN", "access-token-of-31-characters-x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.accessToken: must be at least 32 characters");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "datasources: { app: null }",
        "broadcast: { tables: { notes: null } }",
        "broadcast: { namespaces: { ns: null } }",
        "broadcast: { namespaces: { ns: [null] } }",
        "rooms: { bindings: [null] }",
        "auth: { apiKeys: [null] }",
        "server: { allowedOrigins: [null] }",
        "server: { trustedProxies: [null] }",
        "cluster: { redis: { urls: [null] } }",
        "cluster: { redis: { cluster: [null] } }",
        "channels: { public: [null] }",
    })
    void aNullWhereASectionOrEntryBelongsIsAConfigError(String text) throws IOException {
        Path file = yaml(text + "\n");
        assertThatThrownBy(() -> load(file, env())).as(text).isInstanceOf(ConfigException.class);
    }
}
