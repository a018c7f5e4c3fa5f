package io.herald.broadcast;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and validating the body of {@code POST /broadcast/v1/changes}. */
class ChangeEventTest {
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode node(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private ChangeEvent parse(String body) {
        return ChangeEvent.fromJson(node(body));
    }

    @Test
    void aCompleteBodyParsesIntoAnEventForTheOrgsScope() {
        ChangeEvent e = parse("{\"table\":\"applications\",\"eventType\":\"UPDATE\",\"new\":{\"id\":1},\"old\":{\"id\":0},"
                + "\"organizationId\":\"org_1\",\"userId\":\"u_1\"}");

        assertThat(e.table()).isEqualTo("applications");
        assertThat(e.eventType()).isEqualTo(ChangeEvent.Type.UPDATE);
        assertThat(e.newRow()).isEqualTo(node("{\"id\":1}"));
        assertThat(e.oldRow()).isEqualTo(node("{\"id\":0}"));
        assertThat(e.target()).isEqualTo(new Target("org:org_1", "u_1"));
    }

    @Test
    void aScopeKeyTargetsAResourceScope() {
        ChangeEvent e = parse("{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"scopeKey\":\"events:evt_123\"}");
        assertThat(e.target()).isEqualTo(Target.scope("events:evt_123"));
    }

    @Test
    void theEventTypeIsCaseInsensitive() {
        assertThat(parse("{\"table\":\"t\",\"eventType\":\"delete\",\"old\":{},\"organizationId\":\"o\"}").eventType())
                .isEqualTo(ChangeEvent.Type.DELETE);
    }

    @Test
    void anInsertDropsOldAndADeleteDropsNew() {
        ChangeEvent insert = parse("{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{\"a\":1},\"old\":{\"a\":0},\"organizationId\":\"o\"}");
        ChangeEvent delete = parse("{\"table\":\"t\",\"eventType\":\"DELETE\",\"new\":{\"a\":1},\"old\":{\"a\":0},\"organizationId\":\"o\"}");

        assertThat(insert.oldRow().isNull()).isTrue();
        assertThat(delete.newRow().isNull()).isTrue();
        assertThat(delete.oldRow()).isEqualTo(node("{\"a\":0}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[]",
            "\"text\"",
            "{\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"o\"}",
            "{\"table\":\"\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"o\"}",
            "{\"table\":7,\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"new\":{},\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"eventType\":\"UPSERT\",\"new\":{},\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":[1],\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"eventType\":\"UPDATE\",\"new\":{},\"old\":\"x\",\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"eventType\":\"DELETE\",\"organizationId\":\"o\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{}}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"o\",\"scopeKey\":\"events:e\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":5}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"has space\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"scopeKey\":\"no-colon\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"scopeKey\":[\"events:e\"]}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"o\",\"userId\":\"\"}",
            "{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":\"o\",\"userId\":42}"})
    void aMalformedBodyIsABadRequest(String body) {
        assertRefused(ErrorCode.BAD_REQUEST, () -> parse(body));
    }

    @Test
    void aNullOrgWithAScopeKeyIsNotAmbiguous() {
        assertThat(parse("{\"table\":\"t\",\"eventType\":\"INSERT\",\"new\":{},\"organizationId\":null,\"scopeKey\":\"events:e\"}")
                .target().scopeKey()).isEqualTo("events:e");
    }
}
