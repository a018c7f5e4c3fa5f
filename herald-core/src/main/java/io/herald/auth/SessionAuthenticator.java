package io.herald.auth;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.ServerConfig;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds and checks the session credential of a request, in this order: {@code Authorization: Bearer <JWT>},
 * {@code x-api-key}, {@code ?token=<JWT>}, {@code ?api_key=} / {@code ?key=}, then the session cookie.
 * The server credential is never accepted as a session. Cookie authentication is bound to
 * the origins {@code server.allowedOrigins} lists exactly (a {@code *} there never counts): a WebSocket upgrade
 * must carry one as its {@code Origin} (cross-site WebSocket hijacking), and any other request with another
 * {@code Origin} is refused. Thread-safe.
 */
public final class SessionAuthenticator {
    private final JwtVerifier jwt;
    private final ApiKeys apiKeys;
    private final ServerCredential serverCredential;
    private final String cookieName;
    private final ServerConfig server;

    public SessionAuthenticator(JwtVerifier jwt, ApiKeys apiKeys, ServerCredential serverCredential,
                                String cookieName, ServerConfig server) {
        this.jwt = jwt;
        this.apiKeys = apiKeys;
        this.serverCredential = serverCredential;
        this.cookieName = cookieName;
        this.server = server;
    }

    /** Whether the request carries any session credential at all. */
    public boolean hasCredentials(Credentials request) {
        return bearer(request).isPresent() || request.header("x-api-key").isPresent()
                || request.query("token").isPresent() || request.query("api_key").isPresent()
                || request.query("key").isPresent() || request.cookie(cookieName).isPresent();
    }

    /**
     * Authenticates a session.
     *
     * @param upgrade whether the request is a WebSocket upgrade (cookie auth then requires an allowed Origin)
     * @throws HeraldException 401 {@code unauthenticated} when nothing is presented, 401 {@code invalid_credentials}
     *     when what is presented is wrong, 403 {@code origin_forbidden} for cookie auth from a foreign Origin
     */
    public Principal authenticate(Credentials request, boolean upgrade) {
        Optional<String> bearer = bearer(request);
        if (bearer.isPresent()) {
            if (serverCredential.matches(bearer.get())) {
                throw new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The server credential is not a session credential.");
            }
            return jwt.verify(bearer.get());
        }
        Optional<String> key = request.header("x-api-key");
        if (key.isPresent()) {
            return apiKey(key.get());
        }
        Optional<String> token = request.query("token");
        if (token.isPresent()) {
            return jwt.verify(token.get());
        }
        key = request.query("api_key").or(() -> request.query("key"));
        if (key.isPresent()) {
            return apiKey(key.get());
        }
        Optional<String> cookie = request.cookie(cookieName);
        if (cookie.isPresent()) {
            Optional<String> origin = request.header("Origin");
            if (upgrade ? origin.isEmpty() || !server.allowsCookieOrigin(origin.get())
                        : origin.isPresent() && !server.allowsCookieOrigin(origin.get())) {
                throw new HeraldException(ErrorCode.ORIGIN_FORBIDDEN);
            }
            return jwt.verify(cookie.get());
        }
        throw new HeraldException(ErrorCode.UNAUTHENTICATED);
    }

    private Principal apiKey(String presented) {
        return apiKeys.find(presented)
                .orElseThrow(() -> new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The API key is invalid."));
    }

    /** The token of an {@code Authorization: Bearer} header, if there is one. */
    public static Optional<String> bearer(Credentials request) {
        return request.header("Authorization")
                .filter(h -> h.length() > 7 && h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer "))
                .map(h -> h.substring(7).trim())
                .filter(t -> !t.isEmpty());
    }
}
