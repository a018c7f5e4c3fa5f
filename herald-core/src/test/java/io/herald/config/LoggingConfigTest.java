package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoggingConfigTest {

    @Test
    void theDefaultIsTextAtTheLevelTheLoggerAlreadyHas() {
        LoggingConfig c = HeraldConfig.empty().logging();
        assertThat(c.format()).isEqualTo("text");
        assertThat(c.json()).isFalse();
        assertThat(c.level()).isNull();
    }

    @Test
    void formatAndLevelAreCaseInsensitive() {
        LoggingConfig c = new LoggingConfig("JSON", " Debug ");
        assertThat(c.json()).isTrue();
        assertThat(c.level()).isEqualTo("debug");
    }

    @Test
    void anUnknownFormatOrLevelIsRefusedNamingItsKeyAndTheChoices() {
        assertThatThrownBy(() -> new LoggingConfig("logfmt", null)).isInstanceOf(ConfigException.class)
                .hasMessage("logging.format: must be one of [text, json], was 'logfmt'");
        assertThatThrownBy(() -> new LoggingConfig(null, "verbose")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("logging.level: must be one of [trace, debug, info, warn, error]");
    }
}
