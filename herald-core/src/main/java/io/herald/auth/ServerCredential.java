package io.herald.auth;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.config.ServerConfig;

/** Checks the server credential ({@code Authorization: Bearer <ACCESS_TOKEN>}) that guards the server API. Thread-safe. */
public final class ServerCredential {
    private final String accessToken;

    /** @throws IllegalArgumentException for a token under {@link ServerConfig#MIN_ACCESS_TOKEN_CHARS}; config validation refuses it first */
    public ServerCredential(String accessToken) {
        if (accessToken == null || accessToken.length() < ServerConfig.MIN_ACCESS_TOKEN_CHARS) {
            throw new IllegalArgumentException("the access token must be at least " + ServerConfig.MIN_ACCESS_TOKEN_CHARS + " characters");
        }
        this.accessToken = accessToken;
    }

    /** Whether {@code token} is the access token, compared in constant time. */
    public boolean matches(String token) {
        return Hmac.constantTimeEquals(token, accessToken);
    }

    /**
     * Requires the server credential.
     *
     * @throws HeraldException 401 {@code unauthenticated} without a Bearer token, {@code invalid_credentials} with another one
     */
    public void require(Credentials request) {
        String token = SessionAuthenticator.bearer(request)
                .orElseThrow(() -> new HeraldException(ErrorCode.UNAUTHENTICATED, "Authorization: Bearer <ACCESS_TOKEN> is required."));
        if (!matches(token)) {
            throw new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The server credential is invalid.");
        }
    }
}
