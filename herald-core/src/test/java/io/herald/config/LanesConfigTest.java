package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LanesConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        LanesConfig c = LanesConfig.defaults();

        assertThat(c.basePath()).isEqualTo("/lanes/v1");
        assertThat(c.publishPolicy()).isEqualTo(LanesConfig.PublishPolicy.SERVER);
        assertThat(c.maxFiltersPerSocket()).isEqualTo(200);
        assertThat(c.maxFrameBytes()).isEqualTo(65536);
        assertThat(c.ackTimeoutMs()).isEqualTo(5000);
        assertThat(c.maxSocketsPerUser()).isEqualTo(20);
        assertThat(c.controlReplies()).isTrue();
        assertThat(c.maxPendingPerLane()).isEqualTo(1000);
    }

    @Test
    void anAckTimeoutAbove30SecondsIsClamped() {
        LanesConfig c = LanesConfig.defaults().withLimits(200, 65536, 60_000, 20);

        assertThat(c.ackTimeoutMs()).isEqualTo(LanesConfig.MAX_ACK_TIMEOUT_MS).isEqualTo(30_000);
    }

    @Test
    void anEmptyBasePathMountsTheHopeFlowUrls() {
        assertThat(LanesConfig.defaults().withBasePath("").basePath()).isEmpty();
        assertThat(LanesConfig.defaults().withBasePath("/rt/v2").basePath()).isEqualTo("/rt/v2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "lanes", "/lanes/", "/la nes", "//x"})
    void aBasePathThatIsNotEmptyOrAPathIsRefusedNamingTheKey(String path) {
        assertThatThrownBy(() -> LanesConfig.defaults().withBasePath(path))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("lanes.basePath");
    }

    @Test
    void publishPolicyReadsItsTwoWireNamesAndNothingElse() {
        assertThat(LanesConfig.PublishPolicy.parse("server")).isEqualTo(LanesConfig.PublishPolicy.SERVER);
        assertThat(LanesConfig.PublishPolicy.parse("any-authenticated")).isEqualTo(LanesConfig.PublishPolicy.ANY_AUTHENTICATED);
        assertThat(LanesConfig.PublishPolicy.ANY_AUTHENTICATED.wire()).isEqualTo("any-authenticated");
        assertThatThrownBy(() -> LanesConfig.PublishPolicy.parse("anyone"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("lanes.publishPolicy");
    }

    @Test
    void nonPositiveLimitsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> LanesConfig.defaults().withLimits(0, 65536, 5000, 20))
                .hasMessageStartingWith("lanes.maxFiltersPerSocket");
        assertThatThrownBy(() -> LanesConfig.defaults().withLimits(200, 65536, 5000, 0))
                .hasMessageStartingWith("lanes.maxSocketsPerUser");
        assertThatThrownBy(() -> new LanesConfig(null, null, null, null, null, null, null, 0))
                .hasMessageStartingWith("lanes.maxPendingPerLane");
    }
}
