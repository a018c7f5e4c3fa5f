package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Answers that are not Herald's own, as a proxy in front of it may give them: an HTML error page, a
 * 200 that is not JSON, a 503 on {@code /readyz}, and a page that echoes the request's headers.
 */
class ForeignAnswersTest {
    private static final String TOKEN = "proxy-test-token-0123456789abcdefghij";
    private static HttpServer proxy;
    private static HeraldClient client;

    @BeforeAll
    static void start() throws IOException {
        proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        proxy.createContext("/broadcast/v1/broadcast", x -> answer(x, 502, "<html><body><h1>502 Bad Gateway</h1>" + "x".repeat(500) + "</body></html>"));
        proxy.createContext("/broadcast/v1/changes", x -> answer(x, 200, "OK"));
        proxy.createContext("/channels/v1/publish", x -> answer(x, 200, "{\"delivered\":\"many\"}"));
        proxy.createContext("/readyz", x -> answer(x, 503, "Service Unavailable"));
        proxy.createContext("/cluster/v1/nodes", x -> answer(x, 400, "bad request; you sent Authorization: " + x.getRequestHeaders().getFirst("Authorization")));
        proxy.start();
        client = HeraldClient.builder().baseUrl(URI.create("http://127.0.0.1:" + proxy.getAddress().getPort())).accessToken(TOKEN).build();
    }

    @AfterAll
    static void stop() {
        proxy.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange x, int status, String body) throws IOException {
        x.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void anErrorPageIsAnHttpErrorWithoutCodeAndTheStartOfItsBody() {
        HeraldClientException e = catchThrowableOfType(HeraldClientException.class,
                () -> client.broadcast(Broadcast.of("e", 1, Target.organization("o"))));

        assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.HTTP);
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.error()).isEmpty();
        assertThat(e.serverMessage()).isEmpty();
        assertThat(e.getMessage()).contains(": 502: <html><body><h1>502 Bad Gateway</h1>xxx").endsWith("...").hasSizeLessThan(400);
        assertThat(RetryPolicy.isRetryable(e)).isFalse();
    }

    @Test
    void aSuccessThatIsNotTheEndpointsJsonIsAnInvalidResponse() {
        HeraldClientException notJson = catchThrowableOfType(HeraldClientException.class,
                () -> client.publishChange(Change.insert("t", Target.organization("o"), Map.of())));
        HeraldClientException wrongShape = catchThrowableOfType(HeraldClientException.class,
                () -> client.publishToChannel("c", "e", 1));

        assertThat(notJson.kind()).isEqualTo(HeraldClientException.Kind.INVALID_RESPONSE);
        assertThat(notJson.status()).isEqualTo(200);
        assertThat(notJson.getMessage()).contains("/broadcast/v1/changes: 200 with an unreadable body: not a JSON object");
        assertThat(wrongShape.kind()).isEqualTo(HeraldClientException.Kind.INVALID_RESPONSE);
        assertThat(wrongShape.getMessage()).contains("no delivered number");
    }

    @Test
    void aProxys503OnReadyzIsANotReadyStatus() {
        NodeStatus ready = client.readiness();

        assertThat(ready.isOk()).isFalse();
        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(ready.status()).isEmpty();
        assertThat(ready.error()).isEmpty();
    }

    @Test
    void aBodyThatEchoesTheTokenHasItTakenOutOfTheMessage() {
        HeraldClientException e = catchThrowableOfType(HeraldClientException.class, client::nodes);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).doesNotContain(TOKEN).contains("Authorization: Bearer [access token]");
    }
}
