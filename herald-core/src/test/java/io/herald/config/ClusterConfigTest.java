package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

    @Test
    void theDefaultsAreOneNodeWithARandomIdAndNoRedis() {
        ClusterConfig a = ClusterConfig.defaults();
        ClusterConfig b = ClusterConfig.defaults();

        assertThat(a.nodeId()).matches("[0-9a-z]{12}").isNotEqualTo(b.nodeId());
        assertThat(a.redis().enabled()).isFalse();
        assertThat(a.redis().prefix()).isEqualTo("herald");
        assertThat(a.replyTimeoutMs()).isEqualTo(500);
    }

    @Test
    void oneUrlOrSeveralUrlsAreTheEndpoints() {
        assertThat(new ClusterConfig.Redis("redis://a:6379", null, null, null).endpoints()).containsExactly("redis://a:6379");
        ClusterConfig.Redis many = new ClusterConfig.Redis(null, List.of("redis://a", "redis://b"), true, "h2");
        assertThat(many.endpoints()).containsExactly("redis://a", "redis://b");
        assertThat(many.cluster()).isTrue();
        assertThat(many.enabled()).isTrue();
    }

    @Test
    void badValuesAreRefusedNamingTheirKey() {
        assertThatThrownBy(() -> new ClusterConfig("has space", null, null)).hasMessageStartingWith("cluster.nodeId:");
        assertThatThrownBy(() -> new ClusterConfig(null, null, 0L)).hasMessageStartingWith("cluster.replyTimeoutMs:");
        assertThatThrownBy(() -> new ClusterConfig.Redis("redis://a", List.of("redis://b"), null, null))
                .hasMessageStartingWith("cluster.redis.urls:");
        assertThatThrownBy(() -> new ClusterConfig.Redis(null, null, true, null)).hasMessageStartingWith("cluster.redis.cluster:");
        assertThatThrownBy(() -> new ClusterConfig.Redis("redis://a", null, null, "a{b}")).hasMessageStartingWith("cluster.redis.prefix:");
    }
}
