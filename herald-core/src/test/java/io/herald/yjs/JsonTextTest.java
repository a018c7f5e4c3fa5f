package io.herald.yjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** JavaScript's number printing and JSON.parse/stringify as yjs relies on them for JSON content. */
class JsonTextTest {
    private static String roundTrip(String text) {
        return JsonText.stringify(JsonText.parse(text, 16));
    }

    @Test
    void numbersPrintLikeJavaScriptNumberToString() {
        assertThat(JsNumber.toString(1e21)).isEqualTo("1e+21");
        assertThat(JsNumber.toString(1e20)).isEqualTo("100000000000000000000");
        assertThat(JsNumber.toString(1e-7)).isEqualTo("1e-7");
        assertThat(JsNumber.toString(1e-6)).isEqualTo("0.000001");
        assertThat(JsNumber.toString(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(JsNumber.toString(5e-324)).isEqualTo("5e-324");
        assertThat(JsNumber.toString(0.1)).isEqualTo("0.1");
        assertThat(JsNumber.toString(-150)).isEqualTo("-150");
        assertThat(JsNumber.toString(-0.0)).isEqualTo("0");
        assertThat(JsNumber.toString(123456789012345678901234567890.0)).isEqualTo("1.2345678901234568e+29");
        assertThat(JsNumber.toString(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
        assertThat(JsNumber.toString(2147483648.0)).isEqualTo("2147483648");
    }

    @Test
    void stringifyOfParseNormalizesLikeJavaScript() {
        assertThat(roundTrip(" { \"b\" : 1 , \"a\" : [ 1.0, 2e3, -0, 1e400 ] } ")).isEqualTo("{\"b\":1,\"a\":[1,2000,0,null]}");
        assertThat(roundTrip("{\"z\":1,\"10\":2,\"2\":3,\"z\":4,\"__proto__\":5}")).isEqualTo("{\"2\":3,\"10\":2,\"z\":4,\"__proto__\":5}");
        assertThat(roundTrip("\"\\u00e9\\/\\u001f\\ud800\\b\u2028\"")).isEqualTo("\"é/\\u001f\\ud800\\b\u2028\"");
        assertThat(roundTrip("[[],{},\"\",true,null]")).isEqualTo("[[],{},\"\",true,null]");
    }

    @Test
    void invalidJsonIsRefused() {
        for (String bad : new String[] {"", "[1,]", "{\"a\":1", "01", "undefined", "\uFEFF1", "NaN", "'a'", "\"\t\"", "1 2"}) {
            assertThatThrownBy(() -> JsonText.parse(bad, 16)).as(bad).isInstanceOf(YjsFormatException.class);
        }
        assertThatThrownBy(() -> JsonText.parse("[".repeat(17) + "]".repeat(17), 16)).hasMessageContaining("nested");
    }
}
