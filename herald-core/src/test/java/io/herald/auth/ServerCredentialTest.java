package io.herald.auth;

import static io.herald.Refusals.assertRefused;
import static io.herald.auth.TestRequest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ErrorCode;
import org.junit.jupiter.api.Test;

class ServerCredentialTest {
    private static final String ACCESS_TOKEN = "server-access-token-0123456789abcdef";
    private final ServerCredential credential = new ServerCredential(ACCESS_TOKEN);

    @Test
    void theAccessTokenAsBearerIsAccepted() {
        assertThatCode(() -> credential.require(request().withBearer(ACCESS_TOKEN))).doesNotThrowAnyException();
        assertThat(credential.matches(ACCESS_TOKEN)).isTrue();
    }

    @Test
    void noBearerIsUnauthenticated() {
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> credential.require(request()));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> credential.require(request().withQuery("token", ACCESS_TOKEN)));
        assertRefused(ErrorCode.UNAUTHENTICATED, () -> credential.require(request().withHeader("x-api-key", ACCESS_TOKEN)));
    }

    @Test
    void anotherBearerIsInvalidCredentials() {
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> credential.require(request().withBearer(ACCESS_TOKEN + "x")));
        assertRefused(ErrorCode.INVALID_CREDENTIALS, () -> credential.require(request().withBearer("a.jwt.token")));
        assertThat(credential.matches(null)).isFalse();
        assertThat(credential.matches("")).isFalse();
    }

    @Test
    void anAccessTokenShorterThan32CharactersIsRefused() {
        assertThatThrownBy(() -> new ServerCredential("short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServerCredential(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ServerCredential("0123456789abcdef0123456789abcdef").matches("0123456789abcdef0123456789abcdef")).isTrue();
    }
}
