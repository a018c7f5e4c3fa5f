package io.herald.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.herald.auth.JwtSigner;
import io.herald.server.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /broadcast/v1/ws-ticket} with sessions signed by an identity provider whose JWKS Herald fetches. */
class TicketHandlerJwksTest {
    private static RSAKey key;
    private HttpServer provider;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeAll
    static void generate() throws JOSEException {
        key = new RSAKeyGenerator(2048).keyID("idp-1").generate();
    }

    @AfterEach
    void stopProvider() {
        if (provider != null) {
            provider.stop(0);
        }
    }

    /** A JWKS endpoint on a loopback ephemeral port answering {@link #status}, the key set when 200. */
    private String startProvider() throws IOException {
        byte[] set = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/.well-known/jwks.json", exchange -> {
            requests.incrementAndGet();
            byte[] body = status.get() == 200 ? set : "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        provider.start();
        return "http://127.0.0.1:" + provider.getAddress().getPort() + "/.well-known/jwks.json";
    }

    private static String yaml(String jwksUrl) {
        return """
                auth:
                  jwt:
                    jwksUrl: %s
                    issuer: https://issuer.example/
                    audience: herald
                    claims: { orgs: /app_metadata/orgs }
                """.formatted(jwksUrl);
    }

    private static String idpToken() throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("u_idp").issuer("https://issuer.example/")
                .audience("herald").expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .claim("app_metadata", Map.of("orgs", Map.of("org_idp", List.of("owner")))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("idp-1").build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void anRs256SessionFromTheIdentityProviderGetsATicket() throws Exception {
        try (TestServer server = TestServer.start(yaml(startProvider()))) {
            String token = idpToken();
            await().until(() -> server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + token)
                    .statusCode() != 503);

            HttpResponse<String> r = server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + token);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(TestServer.json(r.body()).get("wsTicket").asText()).startsWith("v1.");
            // the HS256 secret keeps working beside the provider's keys, under the same issuer and audience rules
            String hs256 = new JwtSigner(TestServer.JWT_SECRET).sign(Map.of("sub", "u_hs", "iss", "https://issuer.example/",
                    "aud", "herald", "exp", Instant.now().plusSeconds(600).getEpochSecond(),
                    "app_metadata", Map.of("orgs", Map.of("org_hs", List.of("owner")))));
            assertThat(server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + hs256).statusCode()).isEqualTo(200);
            assertThat(server.post("/broadcast/v1/ws-ticket", null,
                    "Authorization", "Bearer " + TestServer.jwt("u_hs", "org_hs", "owner")).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void whileTheProviderHasNeverAnsweredProviderSessionsGetAuthUnavailable() throws Exception {
        status.set(503);
        try (TestServer server = TestServer.start(yaml(startProvider()))) {
            await().until(() -> requests.get() >= 1);

            HttpResponse<String> r = server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + idpToken());

            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("auth_unavailable");
        }
    }
}
