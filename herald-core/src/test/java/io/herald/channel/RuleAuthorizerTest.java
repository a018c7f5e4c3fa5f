package io.herald.channel;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.auth.ApiKeys;
import io.herald.auth.Credentials;
import io.herald.auth.JwtSigner;
import io.herald.auth.JwtVerifier;
import io.herald.auth.Principal;
import io.herald.auth.ServerCredential;
import io.herald.auth.SessionAuthenticator;
import io.herald.config.AuthConfig;
import io.herald.config.ServerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuleAuthorizerTest {
    private static final String SECRET = "jwt-secret-for-channel-tests-0123";
    private static final String ACCESS_TOKEN = "server-access-token-0123456789abcdef";
    private static final String API_KEY = "api-key-of-the-bot-0123456789";
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final List<String> ALLOW = List.of("team:{org}:*", "member:{user}:notify", "exact:name", "a.b",
            "pair:{org}:{user}");
    private static final List<String> PUBLIC = List.of("status:*");

    private final SessionAuthenticator sessions = new SessionAuthenticator(
            new JwtVerifier(SECRET, true, 30, Clock.fixed(NOW, ZoneOffset.UTC), new ObjectMapper()),
            new ApiKeys(List.of(new AuthConfig.ApiKey(API_KEY, "bot", "Bot", Map.of("acme", List.of("publisher"))))),
            new ServerCredential(ACCESS_TOKEN), "herald_session", ServerConfig.defaults());
    private final RuleAuthorizer rules = new RuleAuthorizer(sessions, ALLOW, PUBLIC);

    /** Credentials of a test request: a header or a query parameter, nothing else. */
    private record Request(Map<String, String> headers, Map<String, String> query) implements Credentials {
        static Request anonymous() {
            return new Request(Map.of(), Map.of());
        }

        static Request bearer(String token) {
            return new Request(Map.of("authorization", "Bearer " + token), Map.of());
        }

        static Request queryToken(String token) {
            return new Request(Map.of(), Map.of("token", token));
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        }

        @Override
        public Optional<String> query(String name) {
            return Optional.ofNullable(query.get(name));
        }

        @Override
        public Optional<String> cookie(String name) {
            return Optional.empty();
        }
    }

    private static String jwt(String userId, String... orgs) {
        Map<String, List<String>> byOrg = new java.util.LinkedHashMap<>();
        for (String o : orgs) {
            byOrg.put(o, List.of("member"));
        }
        return new JwtSigner(SECRET).sign(Map.of("sub", userId, "orgs", byOrg, "exp", NOW.getEpochSecond() + 600));
    }

    private static Request user1() {
        return Request.bearer(jwt("u_1", "acme", "beta"));
    }

    private String allowedUser(String channel, Request r) {
        return rules.authorize(channel, r).principal().map(Principal::userId).orElse("<anonymous>");
    }

    @Test
    void theOrgPlaceholderMatchesAnyOrgOfThePrincipal() {
        assertThat(allowedUser("team:acme:runs", user1())).isEqualTo("u_1");
        assertThat(allowedUser("team:beta:runs", user1())).isEqualTo("u_1");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:gamma:runs", user1()));
    }

    @Test
    void theOrgPlaceholderMatchesOneWholeOrgIdNotAPrefixOrAPartOfOne() {
        Request a = Request.bearer(jwt("u_9", "ac"));

        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:acme:runs", a));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:acmeX:runs", user1()));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:Xacme:runs", user1()));
    }

    @Test
    void aUserInNoOrgMatchesNoOrgRule() {
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:acme:runs", Request.bearer(jwt("u_5"))));
    }

    @Test
    void theUserPlaceholderMatchesOnlyThePrincipalsOwnId() {
        assertThat(allowedUser("member:u_1:notify", user1())).isEqualTo("u_1");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("member:u_2:notify", user1()));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("member:u_1x:notify", user1()));
    }

    @Test
    void bothPlaceholdersCanBeUsedInOneRule() {
        assertThat(allowedUser("pair:beta:u_1", user1())).isEqualTo("u_1");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("pair:beta:u_2", user1()));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("pair:gamma:u_1", user1()));
    }

    @Test
    void theStarMatchesAnyRunOfCharactersIncludingColons() {
        assertThat(allowedUser("team:acme:run:42:stage", user1())).isEqualTo("u_1");
        assertThat(allowedUser("team:acme:", user1())).as("an empty run too").isEqualTo("u_1");
        assertThat(allowedUser("status:eu:west:1", Request.anonymous())).isEqualTo("<anonymous>");
    }

    @Test
    void aRuleMatchesTheWholeChannelName() {
        assertThat(allowedUser("exact:name", user1())).isEqualTo("u_1");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("exact:name2", user1()));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("xexact:name", user1()));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("member:u_1:notify:more", user1()));
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("x:team:acme:runs", user1()));
    }

    @Test
    void ruleCharactersAreLiteralsNotRegularExpressions() {
        assertThat(allowedUser("a.b", user1())).isEqualTo("u_1");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("axb", user1()));
    }

    @Test
    void orgIdsAreMatchedLiterally() {
        Request dotted = Request.bearer(jwt("u_3", "x.y"));

        assertThat(allowedUser("team:x.y:1", dotted)).isEqualTo("u_3");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:xzy:1", dotted));
    }

    @Test
    void aPublicChannelNeedsNoCredentials() {
        ChannelAuthorizer.Decision d = rules.authorize("status:api", Request.anonymous());

        assertThat(d.principal()).isEmpty();
    }

    @Test
    void aPublicChannelStillKnowsAValidUser() {
        assertThat(allowedUser("status:api", user1())).isEqualTo("u_1");
    }

    @Test
    void invalidCredentialsAreRefusedEvenOnAPublicChannel() {
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> rules.authorize("status:api", Request.bearer("not-a-jwt")));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> rules.authorize("status:api", Request.queryToken("not-a-jwt")));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> rules.authorize("status:api", Request.bearer(ACCESS_TOKEN)));
        String otherSecret = new JwtSigner("another-secret-0123456789abcdef")
                .sign(Map.of("sub", "u_1", "exp", NOW.getEpochSecond() + 600));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> rules.authorize("status:api", Request.bearer(otherSecret)));
    }

    @Test
    void anExpiredTokenIsRefusedWith401() {
        String expired = new JwtSigner(SECRET).sign(Map.of("sub", "u_1", "orgs", Map.of("acme", List.of()),
                "exp", NOW.getEpochSecond() - 3600));

        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> rules.authorize("team:acme:runs", Request.bearer(expired)));
    }

    @Test
    void noCredentialsOnANonPublicChannelIs401() {
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> rules.authorize("team:acme:runs", Request.anonymous()));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> rules.authorize("nobody:rules:this", Request.anonymous()));
    }

    @Test
    void anAuthenticatedUserNoRuleAdmitsIsRefusedWith403() {
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("private:thing", user1()));
    }

    @Test
    void withNoRulesAtAllEveryAuthenticatedReadIsRefused() {
        RuleAuthorizer none = new RuleAuthorizer(sessions, List.of(), List.of());

        assertRefused(ErrorCode.FORBIDDEN, () -> none.authorize("team:acme:runs", user1()));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> none.authorize("status:api", Request.anonymous()));
    }

    @Test
    void aJwtInTheTokenQueryParameterAuthenticatesAsForEventSource() {
        assertThat(allowedUser("member:u_1:notify", Request.queryToken(jwt("u_1")))).isEqualTo("u_1");
    }

    @Test
    void anApiKeyPrincipalIsMatchedLikeAUser() {
        Request key = new Request(Map.of("x-api-key", API_KEY), Map.of());

        assertThat(allowedUser("team:acme:deploys", key)).isEqualTo("bot");
        assertRefused(ErrorCode.FORBIDDEN, () -> rules.authorize("team:beta:deploys", key));
    }
}
