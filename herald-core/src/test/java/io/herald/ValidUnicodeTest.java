package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import org.junit.jupiter.api.Test;

class ValidUnicodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JDK's UTF-8 round trip is the oracle: a string is valid exactly when it survives it unchanged. */
    @Property(tries = 10_000)
    void aStringIsValidExactlyWhenItsUtf8RoundTripGivesItBack(
            @ForAll @Chars({'a', 'é'}) @CharRange(from = '\uD7F0', to = '\uE010') String s) {
        boolean survives = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(s);
        assertThat(ValidUnicode.isValid(s)).isEqualTo(survives);
    }

    @Test
    void theRefusalNamesThePathOfTheFirstBadValue() throws Exception {
        JsonNode body = JSON.readTree("{\"a\":{\"b\":[\"ok\",{\"c\":\"x\\udc00\"}]}}");
        assertThatThrownBy(() -> ValidUnicode.require(body, "data"))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessage("data.a.b[1].c is not valid Unicode (a lone UTF-16 surrogate).");
        ValidUnicode.require(JSON.readTree("{\"emoji\":\"\\ud83d\\ude00\",\"n\":[1,null,true]}"), "data");
        ValidUnicode.require((JsonNode) null, "data");
        JsonNode badName = JSON.createObjectNode().put("ok", 1).put("\udc00", 2);
        assertThatThrownBy(() -> ValidUnicode.require(badName, "data"))
                .hasMessage("data has a field name that is not valid Unicode (a lone UTF-16 surrogate).");
    }
}
