package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the builder and the request records accept, and that a refused token is never repeated. */
class BuilderTest {
    @Test
    void theBaseUrlMustBeAnHttpUrlWithoutUserInfoQueryOrFragment() {
        for (String bad : List.of("ftp://h/", "/relative", "http://user:pw@h/", "http://h/?a=1", "http://h/#x")) {
            assertThatThrownBy(() -> HeraldClient.builder().baseUrl(URI.create(bad))).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"));
        }
        assertThatThrownBy(() -> HeraldClient.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThat(HeraldClient.builder().baseUrl(URI.create("https://example.com/herald//")).build())
                .hasToString("HeraldClient[https://example.com/herald]");
    }

    @Test
    void aTokenThatCannotBeAHeaderIsRefusedWithoutRepeatingIt() {
        for (String bad : List.of("", "  ", "secret with space 0123456789abcdef", "secret\r\nX-Injected: 1", "sécret-0123456789abcdef")) {
            assertThatThrownBy(() -> HeraldClient.builder().accessToken(bad)).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("sécret"));
        }
        HeraldClient client = HeraldClient.builder().baseUrl(URI.create("http://h")).accessToken("tok-0123456789abcdef0123456789abcdef").build();
        assertThat(client.toString()).doesNotContain("tok-");
    }

    @Test
    void theLanesBasePathIsEmptyOrAPath() {
        for (String good : List.of("", "/lanes/v1", "/x")) {
            HeraldClient.builder().lanesBasePath(good);
        }
        for (String bad : List.of("/", "lanes", "/lanes/", "/a//b", "/a?b", "/a b")) {
            assertThatThrownBy(() -> HeraldClient.builder().lanesBasePath(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theTimeoutIsPositive() {
        assertThatThrownBy(() -> HeraldClient.builder().timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeraldClient.builder().timeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRequestRecordsKeepWhatTheServerTellsApart() {
        assertThatThrownBy(() -> new Target("org_1", "events:e", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Target(null, null, "u")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Target.organization("org_1").user("u_4")).isEqualTo(new Target("org_1", null, "u_4"));
        assertThat(new Change("t", Change.Type.INSERT, 1, 2, Target.organization("o")).oldRow()).as("INSERT has no old row").isNull();
        assertThat(new Change("t", Change.Type.DELETE, 1, 2, Target.organization("o")).newRow()).as("DELETE has no new row").isNull();
        assertThat(LaneMessage.withoutPayload("u", "t").hasPayload()).isFalse();
        assertThat(LaneMessage.of("u", "t", null).hasPayload()).isTrue();
        assertThatThrownBy(() -> LaneMessage.of("u", "t", 1).withTimeout(Duration.ofNanos(10))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new LaneResult<>(3, java.util.Arrays.asList("a", null)).unacknowledged()).isEqualTo(1);
    }
}
