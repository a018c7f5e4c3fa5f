package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.config.ConfigLoader;
import io.herald.server.config.DevSecrets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald token}: a JWT that a real server accepts, with the claims and expiry asked for. */
class TokenCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
        String token() {
            return out.strip();
        }
    }

    private Run token(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "token";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = new CommandLine(new Main(env, dir)).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode claims(String jwt) {
        return TestServer.json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> ticket(TestServer server, String jwt) {
        return server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + jwt);
    }

    @Test
    void aTokenSignedWithJwtSecretGetsATicketFromARealServerForItsOrgAndRoles() {
        try (TestServer server = TestServer.start("")) {
            Run run = token(Map.of("JWT_SECRET", TestServer.JWT_SECRET), "--user", "u1", "--org", "org_1", "--roles", "owner,recruiter",
                    "--name", "Ada", "--claim", "plan=pro", "--claim", "seats=3");

            assertThat(run.exitCode()).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.out()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+" + NL);
            HttpResponse<String> ticket = ticket(server, run.token());
            assertThat(ticket.statusCode()).isEqualTo(200);
            String payload = new String(Base64.getUrlDecoder().decode(TestServer.json(ticket.body()).get("wsTicket").asText().split("\\.")[1]),
                    StandardCharsets.UTF_8);
            assertThat(TestServer.json(payload).get("org").asText()).isEqualTo("org_1");
            assertThat(TestServer.json(payload).get("roles").toString()).isEqualTo("[\"owner\",\"recruiter\"]");
            JsonNode claims = claims(run.token());
            assertThat(claims.get("sub").asText()).isEqualTo("u1");
            assertThat(claims.get("name").asText()).isEqualTo("Ada");
            assertThat(claims.get("plan").asText()).isEqualTo("pro");
            assertThat(claims.get("seats").isInt()).isTrue();
        }
    }

    @Test
    void theTtlIsTheExpiryAndAnExpiredTokenIsRefused() {
        try (TestServer server = TestServer.start("")) {
            Map<String, String> env = Map.of("JWT_SECRET", TestServer.JWT_SECRET);
            long before = Instant.now().getEpochSecond();
            JsonNode ninety = claims(token(env, "--user", "u1", "--ttl", "90m").token());
            JsonNode hour = claims(token(env, "--user", "u1").token());
            Run expired = token(env, "--user", "u1", "--orgs", "{\"org_1\":[\"owner\"],\"org_2\":\"viewer\"}", "--ttl=-2m");
            long after = Instant.now().getEpochSecond();

            assertThat(ninety.get("exp").asLong()).isBetween(before + 5400, after + 5400);
            assertThat(ninety.get("exp").asLong() - ninety.get("iat").asLong()).isEqualTo(5400);
            assertThat(hour.get("exp").asLong() - hour.get("iat").asLong()).as("default --ttl 1h").isEqualTo(3600);
            assertThat(claims(expired.token()).get("orgs").toString()).isEqualTo("{\"org_1\":[\"owner\"],\"org_2\":[\"viewer\"]}");
            assertThat(claims(expired.token()).get("exp").asLong()).isBetween(before - 120, after - 120);
            HttpResponse<String> refused = ticket(server, expired.token());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("expired");
        }
    }

    @Test
    void withoutJwtSecretItSignsWithTheSecretDevModeKeptAndTheDevServerAcceptsIt() {
        Map<String, String> devEnv = Map.of("HERALD_SERVER_HOST", "127.0.0.1", "HERALD_SERVER_PORT", "0",
                "HERALD_STORAGE_PATH", dir.resolve("herald.db").toString());
        ConfigLoader.Loaded dev = new ConfigLoader(devEnv).devSecrets(DevSecrets.keptIn(dir.resolve(DevSecrets.DEFAULT))).load(null, null);
        try (HeraldServer server = HeraldServer.start(dev)) {
            Run run = token(Map.of(), "--user", "dev_user", "--org", "org_dev", "--roles", "owner");

            assertThat(run.exitCode()).isZero();
            var response = TestServer.send(java.net.http.HttpClient.newHttpClient(),
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/broadcast/v1/ws-ticket"))
                            .header("Authorization", "Bearer " + run.token()).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withNeitherSecretItSaysHowToGetOneWithExit1() {
        Run run = token(Map.of(), "--user", "u1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(1).first().asString()
                .startsWith("herald: no secret to sign with: set JWT_SECRET").contains("herald serve", "dev-secrets");
        assertThat(dir.resolve("data")).as("nothing written").doesNotExist();
    }

    @Test
    void orgWithOrgsAndRolesWithoutOrgAreUsageErrors() {
        Map<String, String> env = Map.of("JWT_SECRET", TestServer.JWT_SECRET);

        Run both = token(env, "--user", "u1", "--org", "org_1", "--orgs", "{\"org_2\":[\"owner\"]}");
        Run rolesAlone = token(env, "--user", "u1", "--roles", "owner");
        Run notJson = token(env, "--user", "u1", "--orgs", "org_1");
        Run badTtl = token(env, "--user", "u1", "--ttl", "soon");

        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).startsWith("give --org (with --roles) or --orgs, not both" + NL);
        assertThat(rolesAlone.exitCode()).isEqualTo(2);
        assertThat(rolesAlone.err()).startsWith("--roles needs --org");
        assertThat(notJson.exitCode()).isEqualTo(2);
        assertThat(notJson.err()).startsWith("--orgs: not JSON");
        assertThat(badTtl.err()).startsWith("--ttl soon: expected a duration like 90s, 15m, 1h or 7d");
        assertThat(both.out() + rolesAlone.out() + notJson.out() + badTtl.out()).isEmpty();
    }

    @Test
    void theConfigurationsIssuerAudienceAndClaimLocationsAreFollowed() throws IOException {
        Path file = Files.writeString(dir.resolve("herald.yaml"), """
                server: { host: 127.0.0.1, port: 0 }
                storage: { path: "%s" }
                auth:
                  jwt:
                    issuer: https://issuer.example/
                    audience: herald
                    claims: { orgs: /app_metadata/orgs, name: /profile/display }
                """.formatted(dir.resolve("herald.db").toString().replace("\\", "/")));
        Map<String, String> env = new HashMap<>(Map.of("ACCESS_TOKEN", TestServer.ACCESS_TOKEN, "JWT_SECRET", TestServer.JWT_SECRET));
        try (HeraldServer server = HeraldServer.start(new ConfigLoader(env).load(file, null))) {
            Run run = token(env, "--config", file.toString(), "--user", "u9", "--org", "org_9", "--roles", "viewer", "--name", "Nine");

            JsonNode claims = claims(run.token());
            assertThat(claims.get("iss").asText()).isEqualTo("https://issuer.example/");
            assertThat(claims.get("aud").asText()).isEqualTo("herald");
            assertThat(claims.at("/app_metadata/orgs/org_9/0").asText()).isEqualTo("viewer");
            assertThat(claims.at("/profile/display").asText()).isEqualTo("Nine");
            var response = TestServer.send(java.net.http.HttpClient.newHttpClient(),
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/broadcast/v1/ws-ticket"))
                            .header("Authorization", "Bearer " + run.token()).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            // a token without the issuer is refused by this server: the claims above are what made it pass
            Run plain = token(Map.of("JWT_SECRET", TestServer.JWT_SECRET), "--user", "u9", "--org", "org_9");
            var refused = TestServer.send(java.net.http.HttpClient.newHttpClient(),
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/broadcast/v1/ws-ticket"))
                            .header("Authorization", "Bearer " + plain.token()).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
        }
    }
}
