package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamKeysTest {

    private final StreamKeys keys = new StreamKeys("herald");

    @Test
    void namesCarryTheStreamAsHashTag() {
        assertThat(keys.meta("org:1")).isEqualTo("herald:{org:1}:meta");
        assertThat(keys.history("org:1")).isEqualTo("herald:{org:1}:history");
        assertThat(keys.channel("org:1")).isEqualTo("herald:{org:1}");
    }

    @Test
    void channelNamesTheStreamBack() {
        assertThat(keys.streamOf(keys.channel("events:{evt"))).isEqualTo("events:{evt");
        assertThat(keys.streamOf("other:{org:1}")).isNull();
        assertThat(keys.streamOf("herald:{}")).isNull();
        assertThat(keys.streamOf("herald:org")).isNull();
    }

    @Test
    void refusesNamesThatWouldBreakTheHashTag() {
        assertThatThrownBy(() -> keys.channel("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.channel("a}b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamKeys("he{r}ald")).isInstanceOf(IllegalArgumentException.class);
    }
}
