package io.herald.lane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FilterTest {
    /** Stands for "the publish had no payload key" in the table below. */
    private static final String ABSENT = "<absent>";

    static Stream<Arguments> matchingTable() {
        return Stream.of(
                // type-only filters: the type decides, whatever the payload
                row("type only, same type, object payload", """
                        {"type":"chat_message"}""", "chat_message", """
                        {"questId":"q1"}""", true),
                row("type only, same type, no payload", """
                        {"type":"chat_message"}""", "chat_message", ABSENT, true),
                row("type only, same type, null payload", """
                        {"type":"chat_message"}""", "chat_message", "null", true),
                row("type only, other type", """
                        {"type":"chat_message"}""", "presence", "{}", false),
                row("type is case-sensitive", """
                        {"type":"chat_message"}""", "Chat_Message", "{}", false),
                row("type is never read from the payload", """
                        {"type":"chat_message"}""", "presence", """
                        {"type":"chat_message"}""", false),
                row("trimmed type matches", """
                        {"type":"  chat_message "}""", "chat_message", "{}", true),
                // payload string keys
                row("payload keys all equal", """
                        {"type":"chat_message","questId":"q1","nodeId":"n1"}""", "chat_message", """
                        {"questId":"q1","nodeId":"n1","text":"hi"}""", true),
                row("one payload key differs", """
                        {"type":"chat_message","questId":"q1","nodeId":"n1"}""", "chat_message", """
                        {"questId":"q1","nodeId":"n2"}""", false),
                row("payload key missing", """
                        {"type":"chat_message","questId":"q1"}""", "chat_message", """
                        {"text":"hi"}""", false),
                row("payload keys equal but type differs", """
                        {"type":"chat_message","questId":"q1"}""", "presence", """
                        {"questId":"q1"}""", false),
                row("values other than type are not trimmed", """
                        {"type":"t","k":" v "}""", "t", """
                        {"k":"v"}""", false),
                row("untrimmed value equal to the payload's", """
                        {"type":"t","k":" v "}""", "t", """
                        {"k":" v "}""", true),
                row("nested paths are not followed", """
                        {"type":"t","a.b":"1"}""", "t", """
                        {"a":{"b":"1"}}""", false),
                row("an object field never equals a string", """
                        {"type":"t","o":"{}"}""", "t", """
                        {"o":{}}""", false),
                row("a JSON null field never equals \"null\"", """
                        {"type":"t","n":"null"}""", "t", """
                        {"n":null}""", false),
                // numbers and booleans by their JSON text (beyond HopeFlow, which compares strings only)
                row("integer by JSON text", """
                        {"type":"t","questId":"1"}""", "t", """
                        {"questId":1}""", true),
                row("decimal by JSON text", """
                        {"type":"t","score":"1.5"}""", "t", """
                        {"score":1.5}""", true),
                row("different integer", """
                        {"type":"t","questId":"1"}""", "t", """
                        {"questId":2}""", false),
                row("1.0 is not the text 1", """
                        {"type":"t","questId":"1"}""", "t", """
                        {"questId":1.0}""", false),
                row("boolean true by JSON text", """
                        {"type":"t","done":"true"}""", "t", """
                        {"done":true}""", true),
                row("boolean false is not true", """
                        {"type":"t","done":"true"}""", "t", """
                        {"done":false}""", false),
                row("boolean text is case-sensitive", """
                        {"type":"t","done":"True"}""", "t", """
                        {"done":true}""", false),
                // payload keys need an object payload
                row("payload key, no payload", """
                        {"type":"t","k":"v"}""", "t", ABSENT, false),
                row("payload key, null payload", """
                        {"type":"t","k":"v"}""", "t", "null", false),
                row("payload key, string payload", """
                        {"type":"t","k":"v"}""", "t", "\"v\"", false),
                row("payload key, array payload (index keys are not emulated)", """
                        {"type":"t","0":"x"}""", "t", "[\"x\"]", false),
                // type-less filters (beyond HopeFlow, which drops them): any envelope type
                row("type-less, payload matches, some type", """
                        {"questId":"q1"}""", "chat_message", """
                        {"questId":"q1"}""", true),
                row("type-less, payload matches, another type", """
                        {"questId":"q1"}""", "message", """
                        {"questId":"q1"}""", true),
                row("type-less, payload differs", """
                        {"questId":"q1"}""", "chat_message", """
                        {"questId":"q2"}""", false),
                row("type-less, no payload", """
                        {"questId":"q1"}""", "chat_message", ABSENT, false));
    }

    private static Arguments row(String label, String filter, String type, String payload, boolean expected) {
        return Arguments.of(label, filter, type, payload, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matchingTable")
    void matchesAnEnvelopeByTypeAndTopLevelPayloadFields(String label, String filter, String type, String payload,
                                                         boolean expected) {
        Filter f = Filter.parse(LaneFixture.json(filter));
        JsonNode p = payload.equals(ABSENT) ? null : LaneFixture.json(payload);

        assertThat(f).as("parsed %s", filter).isNotNull();
        assertThat(f.matches(type, p)).as(label).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "42",
        "\"chat_message\"",
        "[]",
        "[{\"type\":\"t\"}]",
        "null",
        "true",
        "{}",
        "{\"type\":\"\"}",
        "{\"type\":\"   \"}",
        "{\"type\":5}",
        "{\"type\":\"t\",\"questId\":1}",
        "{\"type\":\"t\",\"done\":true}",
        "{\"type\":\"t\",\"x\":null}",
        "{\"type\":\"t\",\"o\":{}}",
        "{\"type\":\"t\",\"a\":[\"1\"]}",
        "{\"questId\":2}"
    })
    void malformedFiltersParseToNull(String filter) {
        assertThat(Filter.parse(LaneFixture.json(filter))).isNull();
    }

    @Test
    void aMissingNodeParsesToNull() {
        assertThat(Filter.parse(null)).isNull();
    }

    @Test
    void oversizedFiltersParseToNull() {
        String longKey = "k".repeat(257);
        String longValue = "v".repeat(1025);
        StringBuilder manyKeys = new StringBuilder("{\"type\":\"t\"");
        for (int i = 0; i < 32; i++) {
            manyKeys.append(",\"k").append(i).append("\":\"v\"");
        }
        manyKeys.append('}');

        assertThat(Filter.parse(LaneFixture.json("{\"type\":\"t\",\"" + longKey + "\":\"v\"}"))).isNull();
        assertThat(Filter.parse(LaneFixture.json("{\"type\":\"t\",\"k\":\"" + longValue + "\"}"))).isNull();
        assertThat(Filter.parse(LaneFixture.json(manyKeys.toString()))).as("33 keys").isNull();
        assertThat(Filter.parse(LaneFixture.json("{\"type\":\"t\",\"k\":\"" + "v".repeat(1024) + "\"}"))).isNotNull();
    }

    @Test
    void filtersWithTheSameKeysAndValuesAreEqualWhateverTheKeyOrder() {
        Filter a = Filter.parse(LaneFixture.json("{\"type\":\"chat_message\",\"questId\":\"q1\",\"nodeId\":\"n1\"}"));
        Filter b = Filter.parse(LaneFixture.json("{\"nodeId\":\"n1\",\"questId\":\"q1\",\"type\":\" chat_message \"}"));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void filtersDifferingInOneValueOrOneKeyAreNotEqual() {
        Filter base = Filter.parse(LaneFixture.json("{\"type\":\"t\",\"questId\":\"q1\"}"));

        assertThat(base).isNotEqualTo(Filter.parse(LaneFixture.json("{\"type\":\"t\",\"questId\":\"q2\"}")));
        assertThat(base).isNotEqualTo(Filter.parse(LaneFixture.json("{\"type\":\"t\"}")));
        assertThat(base).isNotEqualTo(Filter.parse(LaneFixture.json("{\"type\":\"t\",\"questId\":\"q1\",\"n\":\"1\"}")));
        assertThat(base).isNotEqualTo(Filter.parse(LaneFixture.json("{\"questId\":\"q1\"}")));
    }

    @Test
    void fieldsAreTheTrimmedTypeAndTheOtherValuesAndCannotBeChanged() {
        Filter f = Filter.parse(LaneFixture.json("{\"type\":\" chat \",\"k\":\" v \"}"));

        assertThat(f.fields()).containsExactly(
                java.util.Map.entry("k", " v "), java.util.Map.entry("type", "chat"));
        assertThat(f.fields()).isUnmodifiable();
    }
}
