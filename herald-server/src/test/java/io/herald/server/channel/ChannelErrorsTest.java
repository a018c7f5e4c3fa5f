package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.channel.ChannelAuthorizer;
import io.herald.config.ChannelsConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** Refusals before the stream opens: 400 names, 401/403 auth (rules and a custom authorizer), 405, 429. */
class ChannelErrorsTest {
    private static final String SECRET_IN_EXCEPTION = "db-password-hunter2";

    @TempDir
    static Path dir;
    private static ChannelServer server;
    private static ChannelServer custom;
    /** The channel names the custom authorizer was asked about. */
    private static final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        ChannelsConfig channels = ChannelServer.rules().withLimits(2, 30_000, 5, 60_000, 1000);
        server = ChannelServer.start(ChannelServer.config(dir.resolve("rules.db"), channels));
        ChannelAuthorizer authorizer = (channel, request) -> {
            asked.add(channel);
            if (channel.startsWith("boom:")) {
                throw new IllegalStateException(SECRET_IN_EXCEPTION);
            }
            if (channel.startsWith("nil:")) {
                return null;
            }
            if (channel.startsWith("who:")) {
                throw new HeraldException(ErrorCode.UNAUTHENTICATED);
            }
            return request.header("x-pass").isPresent() ? ChannelAuthorizer.Decision.anonymous() : null;
        };
        custom = ChannelServer.start(ChannelServer.config(dir.resolve("custom.db"), ChannelsConfig.defaults()),
                b -> b.channelAuthorizer(authorizer));
    }

    @AfterEach
    void closeStreams() {
        server.closeStreams();
        custom.closeStreams();
    }

    @AfterAll
    static void stop() {
        server.close();
        custom.close();
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as("status of %s, body %s", r.uri(), r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(ChannelServer.json(r.body()).get("error").asText()).isEqualTo(code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/sse/bad%20name", "/sse/a%2Fb", "/sse/%C3%A9t%C3%A9", "/sse/%FF", "/sse/",
        "/sse/a/b", "/sse/pub:x%0Aevil", "/channels/v1/sse/bad%20name", "/channels/v1/poll/bad%20name", "/channels/v1/poll/"})
    void aChannelNameOutsideThePatternIs400EvenWithoutCredentials(String path) {
        assertError(server.get(path), 400, "bad_request");
    }

    @Test
    void aMalformedPercentEscapeIs400() {
        String answer = server.raw("GET /sse/pub%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400").contains("application/json").contains("\"error\":\"bad_request\"");
    }

    @Test
    void aChannelNameLongerThan128CharactersIs400() {
        assertError(server.get("/sse/pub:" + "x".repeat(125)), 400, "bad_request");
        assertThat(server.stream("/sse/pub:" + "x".repeat(124)).response().statusCode()).isEqualTo(200);
    }

    @Test
    void noCredentialsOnANonPublicChannelIs401() {
        assertError(server.get("/sse/team:acme:runs"), 401, "unauthenticated");
        assertError(server.get("/channels/v1/poll/team:acme:runs"), 401, "unauthenticated");
    }

    @Test
    void invalidCredentialsAre401EvenOnAPublicChannel() {
        assertError(server.get("/sse/pub:open?token=not-a-jwt"), 401, "invalid_credentials");
        assertError(server.get("/sse/pub:open", "Authorization", "Bearer " + ChannelServer.ACCESS_TOKEN), 401,
                "invalid_credentials");
    }

    @Test
    void credentialsTheRulesRefuseAre403() {
        String beta = ChannelServer.jwt("u_1", "beta");

        assertError(server.get("/sse/team:acme:runs", "Authorization", "Bearer " + beta), 403, "forbidden");
        assertError(server.get("/sse/member:u_2:notify?token=" + beta), 403, "forbidden");
        assertError(server.get("/channels/v1/poll/member:u_2:notify?token=" + beta), 403, "forbidden");
        assertError(server.get("/sse/private:thing?token=" + beta), 403, "forbidden");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "DELETE", "PUT", "PATCH"})
    void methodsOtherThanGetOnTheStreamAre405(String method) {
        assertError(server.send(method, "/sse/pub:x", null), 405, "method_not_allowed");
        assertError(server.send(method, "/channels/v1/sse/pub:x", null), 405, "method_not_allowed");
        assertError(server.send(method, "/channels/v1/poll/pub:x", null), 405, "method_not_allowed");
    }

    @Test
    void oneSubscriberPastTheCapIs429WhileTheOthersKeepReceiving() {
        SseStream a = server.stream("/sse/pub:cap");
        SseStream b = server.stream("/sse/pub:cap");

        assertError(server.get("/sse/pub:cap"), 429, "too_many_requests");
        assertError(server.get("/channels/v1/sse/pub:cap"), 429, "too_many_requests");

        assertThat(server.publish("pub:cap", "e1", "1").get("delivered").asInt()).isEqualTo(2);
        assertThat(a.awaitEndsWith(ChannelServer.frame(1))).endsWith(ChannelServer.frame(1));
        assertThat(b.awaitEndsWith(ChannelServer.frame(1))).endsWith(ChannelServer.frame(1));
        a.close();
        SseStream.waiting().until(() -> server.get("/channels/v1/poll/pub:cap").statusCode() == 200 && server.subscribers() < 2);
        assertThat(server.open("/sse/pub:cap").response().statusCode()).as("the freed slot is taken").isEqualTo(200);
    }

    @Test
    void theCapIsCheckedAfterAuthorization() {
        String acme = ChannelServer.jwt("u_1", "acme");
        server.stream("/sse/team:acme:full?token=" + acme);
        server.stream("/sse/team:acme:full?token=" + acme);

        assertError(server.get("/sse/team:acme:full"), 401, "unauthenticated");
        assertError(server.get("/sse/team:acme:full?token=" + acme), 429, "too_many_requests");
    }

    @Test
    void aCustomAuthorizerThatThrowsIs403AndTheLogLineCarriesNoSecret() {
        Logger logger = (Logger) LoggerFactory.getLogger(ChannelsHandler.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            HttpResponse<String> r = custom.get("/sse/boom:1");

            assertError(r, 403, "forbidden");
            assertThat(r.body()).doesNotContain(SECRET_IN_EXCEPTION);
            assertThat(logs.list).isNotEmpty();
            assertThat(logs.list).allSatisfy(e -> {
                assertThat(e.getFormattedMessage()).doesNotContain(SECRET_IN_EXCEPTION);
                assertThat(e.getThrowableProxy()).isNull();
            });
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void aCustomAuthorizerThatReturnsNullIs403() {
        assertError(custom.get("/sse/nil:1"), 403, "forbidden");
        assertError(custom.get("/sse/other:1"), 403, "forbidden");
        assertError(custom.get("/channels/v1/poll/nil:1"), 403, "forbidden");
    }

    @Test
    void aCustomAuthorizerMayRefuseWithItsOwnHeraldError() {
        assertError(custom.get("/sse/who:1"), 401, "unauthenticated");
    }

    @Test
    void aCustomAuthorizerReplacesTheRulesAndSeesTheDecodedNameAndTheRequest() {
        SseStream s = custom.stream("/sse/open%3Aone", "x-pass", "yes");

        custom.publish("open:one", "e1", "1");

        assertThat(s.awaitEndsWith(ChannelServer.frame(1))).isEqualTo(": connected\n\n" + ChannelServer.frame(1));
        assertThat(asked).contains("open:one");
        assertThat(custom.get("/channels/v1/poll/open:one", "x-pass", "1").statusCode()).isEqualTo(200);
    }
}
