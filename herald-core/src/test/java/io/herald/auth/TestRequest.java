package io.herald.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Request credentials built by a test: headers (case-insensitive names), query parameters and cookies. */
final class TestRequest implements Credentials {
    private final Map<String, String> headers = new HashMap<>();
    private final Map<String, String> query = new HashMap<>();
    private final Map<String, String> cookies = new HashMap<>();

    static TestRequest request() {
        return new TestRequest();
    }

    TestRequest withHeader(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    TestRequest withBearer(String token) {
        return withHeader("Authorization", "Bearer " + token);
    }

    TestRequest withOrigin(String origin) {
        return withHeader("Origin", origin);
    }

    TestRequest withQuery(String name, String value) {
        query.put(name, value);
        return this;
    }

    TestRequest withCookie(String name, String value) {
        cookies.put(name, value);
        return this;
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    @Override
    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies.get(name));
    }
}
