package io.herald.auth;

import static io.herald.Refusals.assertRefused;
import static io.herald.auth.TestRequest.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.config.AuthConfig;
import io.herald.config.ServerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SessionAuthenticatorTest {
    private static final String SECRET = "jwt-secret-for-tests-0123456789abcdef";
    private static final String ACCESS_TOKEN = "server-access-token-0123456789abcdef";
    private static final String API_KEY = "api-key-of-the-bot-0123456789";
    private static final String ALLOWED = "https://app.example.com";
    private static final String FOREIGN = "https://evil.example.net";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private final JwtSigner signer = new JwtSigner(SECRET);
    private final SessionAuthenticator sessions = authenticator(List.of(ALLOWED), "herald_session");

    private static SessionAuthenticator authenticator(List<String> allowedOrigins, String cookieName) {
        JwtVerifier jwt = new JwtVerifier(SECRET, true, 30, Clock.fixed(NOW, ZoneOffset.UTC), new ObjectMapper());
        ApiKeys keys = new ApiKeys(List.of(new AuthConfig.ApiKey(API_KEY, "bot", "Deploy bot", Map.of("org_1", List.of("publisher")))));
        ServerConfig server = ServerConfig.defaults().withAllowedOrigins(allowedOrigins);
        return new SessionAuthenticator(jwt, keys, new ServerCredential(ACCESS_TOKEN), cookieName, server);
    }

    private String jwt(String userId) {
        return signer.sign(Map.of("sub", userId, "exp", NOW.getEpochSecond() + 600, "organizationId", "org_1"));
    }

    private String user(TestRequest r) {
        return sessions.authenticate(r, false).userId();
    }

    @Test
    void aBearerJwtAuthenticatesItsUser() {
        Principal p = sessions.authenticate(request().withBearer(jwt("u_1")), false);

        assertThat(p.userId()).isEqualTo("u_1");
        assertThat(p.isMemberOf("org_1")).isTrue();
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        assertThat(user(request().withHeader("Authorization", "bearer " + jwt("u_1")))).isEqualTo("u_1");
        assertThat(user(request().withHeader("Authorization", "BEARER " + jwt("u_2")))).isEqualTo("u_2");
    }

    @Test
    void anInvalidBearerJwtIsInvalidCredentials() {
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withBearer("not-a-jwt")));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withBearer(new JwtSigner("other-secret-xyz")
                .sign(Map.of("sub", "u_1", "exp", NOW.getEpochSecond() + 60)))));
    }

    @Test
    void theServerAccessTokenIsNeverASession() {
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withBearer(ACCESS_TOKEN)));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> sessions.authenticate(request().withBearer(ACCESS_TOKEN), true));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withHeader("x-api-key", ACCESS_TOKEN)));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withQuery("token", ACCESS_TOKEN)));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withQuery("api_key", ACCESS_TOKEN)));
    }

    @Test
    void anApiKeyInTheHeaderAuthenticatesItsIdentity() {
        Principal p = sessions.authenticate(request().withHeader("x-api-key", API_KEY), false);

        assertThat(p.userId()).isEqualTo("bot");
        assertThat(p.rolesIn("org_1")).containsExactly("publisher");
        assertThat(p.displayName()).contains("Deploy bot");
    }

    @Test
    void anApiKeyInTheApiKeyOrKeyQueryParameterAuthenticates() {
        assertThat(user(request().withQuery("api_key", API_KEY))).isEqualTo("bot");
        assertThat(user(request().withQuery("key", API_KEY))).isEqualTo("bot");
    }

    @Test
    void anUnknownApiKeyIsInvalidCredentialsWhereverItIs() {
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withHeader("x-api-key", "unknown-key-0123456789")));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withQuery("api_key", API_KEY + "x")));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> user(request().withQuery("key", "")));
    }

    @Test
    void aJwtInTheTokenQueryParameterAuthenticates() {
        assertThat(user(request().withQuery("token", jwt("u_q")))).isEqualTo("u_q");
    }

    @Test
    void nothingPresentedIsUnauthenticated() {
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> user(request()));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> sessions.authenticate(request().withOrigin(ALLOWED), true));
        assertThat(sessions.hasCredentials(request())).isFalse();
    }

    @Test
    void anAuthorizationHeaderThatIsNotABearerTokenIsNoCredential() {
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> user(request().withHeader("Authorization", "Basic dXNlcjpwYXNz")));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> user(request().withHeader("Authorization", "Bearer ")));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> user(request().withHeader("Authorization", "Bearer    ")));
        assertThat(user(request().withHeader("Authorization", "Basic dXNlcjpwYXNz").withHeader("x-api-key", API_KEY)))
                .isEqualTo("bot");
    }

    @Test
    void hasCredentialsSeesEverySource() {
        assertThat(sessions.hasCredentials(request().withBearer("x"))).isTrue();
        assertThat(sessions.hasCredentials(request().withHeader("x-api-key", "x"))).isTrue();
        assertThat(sessions.hasCredentials(request().withQuery("token", "x"))).isTrue();
        assertThat(sessions.hasCredentials(request().withQuery("api_key", "x"))).isTrue();
        assertThat(sessions.hasCredentials(request().withQuery("key", "x"))).isTrue();
        assertThat(sessions.hasCredentials(request().withCookie("herald_session", "x"))).isTrue();
        assertThat(sessions.hasCredentials(request().withCookie("other_cookie", "x"))).isFalse();
    }

    @Nested
    class OrderOfSources {
        @Test
        void bearerComesBeforeTheApiKeyHeader() {
            assertThat(user(request().withBearer(jwt("u_jwt")).withHeader("x-api-key", API_KEY))).isEqualTo("u_jwt");
        }

        @Test
        void apiKeyHeaderComesBeforeTheTokenQueryParameter() {
            assertThat(user(request().withHeader("x-api-key", API_KEY).withQuery("token", jwt("u_q")))).isEqualTo("bot");
        }

        @Test
        void tokenQueryParameterComesBeforeApiKeyQueryParameters() {
            assertThat(user(request().withQuery("token", jwt("u_q")).withQuery("api_key", API_KEY))).isEqualTo("u_q");
        }

        @Test
        void apiKeyComesBeforeKey() {
            assertRefused(ErrorCode.INVALID_CREDENTIALS,
                    () -> user(request().withQuery("api_key", "wrong-key-0123456789").withQuery("key", API_KEY)));
        }

        @Test
        void queryParametersComeBeforeTheCookie() {
            assertThat(user(request().withQuery("key", API_KEY).withCookie("herald_session", jwt("u_cookie"))))
                    .isEqualTo("bot");
        }

        @Test
        void aWrongCredentialIsNotRescuedByALaterValidOne() {
            assertRefused(ErrorCode.INVALID_CREDENTIALS,
                    () -> user(request().withBearer("forged.jwt.here").withHeader("x-api-key", API_KEY)));
            assertRefused(ErrorCode.INVALID_CREDENTIALS,
                    () -> user(request().withBearer(ACCESS_TOKEN).withCookie("herald_session", jwt("u_1"))));
        }
    }

    @Nested
    class CookieOnUpgrade {
        private Principal upgrade(TestRequest r) {
            return sessions.authenticate(r.withCookie("herald_session", jwt("u_c")), true);
        }

        @Test
        void anAllowedOriginIsAccepted() {
            assertThat(upgrade(request().withOrigin(ALLOWED)).userId()).isEqualTo("u_c");
        }

        @Test
        void anAbsentOriginIsForbidden() {
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN, () -> upgrade(request()));
        }

        @Test
        void aForeignOriginIsForbidden() {
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN, () -> upgrade(request().withOrigin(FOREIGN)));
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN, () -> upgrade(request().withOrigin(ALLOWED + ".evil.net")));
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN, () -> upgrade(request().withOrigin("http://app.example.com")));
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN, () -> upgrade(request().withOrigin("null")));
        }

        @Test
        void aWildcardAllowListNeverAuthorizesACookie() {
            SessionAuthenticator open = authenticator(List.of("*"), "herald_session");
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN,
                    () -> open.authenticate(request().withOrigin(FOREIGN).withCookie("herald_session", jwt("u_c")), true));
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN,
                    () -> open.authenticate(request().withCookie("herald_session", jwt("u_c")), true));
            SessionAuthenticator both = authenticator(List.of("*", ALLOWED), "herald_session");
            assertThat(both.authenticate(request().withOrigin(ALLOWED).withCookie("herald_session", jwt("u_c")), true).userId())
                    .isEqualTo("u_c");
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN,
                    () -> both.authenticate(request().withOrigin(FOREIGN).withCookie("herald_session", jwt("u_c")), true));
        }

        @Test
        void noAllowListRefusesEveryCookieUpgrade() {
            SessionAuthenticator closed = authenticator(List.of(), "herald_session");
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN,
                    () -> closed.authenticate(request().withOrigin(ALLOWED).withCookie("herald_session", jwt("u_c")), true));
        }

        @Test
        void theOriginRuleDoesNotApplyToBearerOrApiKeyCredentials() {
            assertThat(sessions.authenticate(request().withOrigin(FOREIGN).withBearer(jwt("u_1")), true).userId())
                    .isEqualTo("u_1");
            assertThat(sessions.authenticate(request().withQuery("api_key", API_KEY), true).userId()).isEqualTo("bot");
        }

        @Test
        void anInvalidCookieFromAnAllowedOriginIsInvalidCredentials() {
            assertRefused(ErrorCode.INVALID_CREDENTIALS,
                    () -> sessions.authenticate(request().withOrigin(ALLOWED).withCookie("herald_session", "garbage"), true));
        }
    }

    @Nested
    class CookieOnPlainRequests {
        private Principal plain(TestRequest r) {
            return sessions.authenticate(r.withCookie("herald_session", jwt("u_c")), false);
        }

        @Test
        void noOriginIsAccepted() {
            assertThat(plain(request()).userId()).isEqualTo("u_c");
        }

        @Test
        void anAllowedOriginIsAccepted() {
            assertThat(plain(request().withOrigin(ALLOWED)).userId()).isEqualTo("u_c");
        }

        @Test
        void aForeignOriginIsForbidden() {
            assertRefused(ErrorCode.ORIGIN_FORBIDDEN, () -> plain(request().withOrigin(FOREIGN)));
        }

        @Test
        void theConfiguredCookieNameIsTheOnlyOneRead() {
            SessionAuthenticator custom = authenticator(List.of(ALLOWED), "app_sid");
            assertThat(custom.authenticate(request().withCookie("app_sid", jwt("u_c")), false).userId()).isEqualTo("u_c");
            assertRefused(ErrorCode.UNAUTHENTICATED,
                    () -> custom.authenticate(request().withCookie("herald_session", jwt("u_c")), false));
        }
    }

    @Test
    void bearerExtractsTheTrimmedToken() {
        assertThat(SessionAuthenticator.bearer(request().withHeader("Authorization", "Bearer  abc  "))).contains("abc");
        assertThat(SessionAuthenticator.bearer(request().withHeader("Authorization", "Bearerabc"))).isEmpty();
        assertThat(SessionAuthenticator.bearer(request())).isEmpty();
    }
}
