package io.herald.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider's JWKS endpoint on a loopback ephemeral port: serves the public parts of the keys it is
 * given, can be switched to answer 503, and counts the requests it received.
 */
final class JwksServer implements AutoCloseable {
    private final HttpServer http;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String body = new JWKSet().toString();
    private volatile boolean down;

    JwksServer(JWK... keys) {
        serve(keys);
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext("/.well-known/jwks.json", exchange -> {
            requests.incrementAndGet();
            byte[] b = down ? "{\"error\":\"down\"}".getBytes(StandardCharsets.UTF_8) : body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(down ? 503 : 200, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        });
        http.start();
    }

    /** From now on the set holds the public parts of {@code keys}. */
    void serve(JWK... keys) {
        body = new JWKSet(List.of(keys)).toString();
    }

    /** From now on every request is answered 503 (or, with false, served again). */
    void down(boolean d) {
        down = d;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/.well-known/jwks.json");
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
