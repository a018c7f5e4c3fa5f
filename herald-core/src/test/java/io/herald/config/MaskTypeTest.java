package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MaskTypeTest {

    @Test
    void parsesTheWireNamesCaseInsensitively() {
        assertThat(MaskType.parse("ssn")).isEqualTo(MaskType.SSN);
        assertThat(MaskType.parse(" Email ")).isEqualTo(MaskType.EMAIL);
        assertThat(MaskType.parse("REDACT")).isEqualTo(MaskType.REDACT);
    }

    @Test
    void anUnknownTypeIsAConfigErrorListingTheChoices() {
        assertThatThrownBy(() -> MaskType.parse("hash")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'hash'").hasMessageContaining("ssn, email, phone, name, redact");
        assertThatThrownBy(() -> MaskType.parse(null)).isInstanceOf(ConfigException.class);
    }

    @Test
    void theWireNameIsLowerCase() {
        for (MaskType t : MaskType.values()) {
            assertThat(MaskType.parse(t.wire())).isEqualTo(t);
            assertThat(t.wire()).isLowerCase();
        }
    }
}
