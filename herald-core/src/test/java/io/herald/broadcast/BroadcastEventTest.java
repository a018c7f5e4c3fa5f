package io.herald.broadcast;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and validating the body of {@code POST /broadcast/v1/broadcast}. */
class BroadcastEventTest {
    private static final Target ORG = Target.organization("org_1");
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode node(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private BroadcastEvent parse(String body) {
        return BroadcastEvent.fromJson(node(body));
    }

    @Test
    void aCompleteBodyParses() {
        BroadcastEvent e = parse("{\"event\":\"screening:complete\",\"payload\":{\"score\":9},\"organizationId\":\"org_1\","
                + "\"targetRoles\":[\"owner\",\"hiring-manager\"],\"userId\":\"u_1\"}");

        assertThat(e.event()).isEqualTo("screening:complete");
        assertThat(e.payload()).isEqualTo(node("{\"score\":9}"));
        assertThat(e.target()).isEqualTo(ORG.user("u_1"));
        assertThat(e.targetRoles()).containsExactly("owner", "hiring-manager");
    }

    @Test
    void aNullPayloadIsAllowedButAMissingOneIsNot() {
        assertThat(parse("{\"event\":\"e\",\"payload\":null,\"organizationId\":\"org_1\"}").payload().isNull()).isTrue();
        assertRefused(ErrorCode.BAD_REQUEST, () -> parse("{\"event\":\"e\",\"organizationId\":\"org_1\"}"));
    }

    @Test
    void absentOrNullTargetRolesMeanEveryone() {
        assertThat(parse("{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\"}").targetRoles()).isEmpty();
        assertThat(parse("{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_1\",\"targetRoles\":null}").targetRoles()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "null",
            "[]",
            "{\"payload\":{},\"organizationId\":\"org_1\"}",
            "{\"event\":\"\",\"payload\":{},\"organizationId\":\"org_1\"}",
            "{\"event\":{\"name\":\"e\"},\"payload\":{},\"organizationId\":\"org_1\"}",
            "{\"event\":\"e\",\"payload\":{}}",
            "{\"event\":\"e\",\"payload\":{},\"organizationId\":\"org_1\",\"scopeKey\":\"events:e\"}",
            "{\"event\":\"e\",\"payload\":{},\"organizationId\":\"org_1\",\"targetRoles\":\"owner\"}",
            "{\"event\":\"e\",\"payload\":{},\"organizationId\":\"org_1\",\"targetRoles\":[\"owner\",1]}"})
    void aMalformedBodyIsABadRequest(String body) {
        assertRefused(ErrorCode.BAD_REQUEST, () -> parse(body));
    }

    @Test
    void anEventNameIsAtMost256Characters() {
        assertThat(new BroadcastEvent("e".repeat(256), null, ORG, null).event()).hasSize(256);
        assertRefused(ErrorCode.BAD_REQUEST, () -> new BroadcastEvent("e".repeat(257), null, ORG, null));
        assertRefused(ErrorCode.BAD_REQUEST, () -> new BroadcastEvent("e", null, null, null));
    }

    @Test
    void theNamespaceIsTheTextBeforeTheFirstColon() {
        assertThat(new BroadcastEvent("screening:complete", null, ORG, null).namespace()).isEqualTo("screening");
        assertThat(new BroadcastEvent("a:b:c", null, ORG, null).namespace()).isEqualTo("a");
        assertThat(new BroadcastEvent(":x", null, ORG, null).namespace()).isEmpty();
        assertThat(new BroadcastEvent("plain", null, ORG, null).namespace()).isNull();
    }

    @Test
    void targetRolesAreCopied() {
        List<String> roles = new java.util.ArrayList<>(List.of("owner"));
        BroadcastEvent e = new BroadcastEvent("e", null, ORG, roles);
        roles.add("viewer");
        assertThat(e.targetRoles()).containsExactly("owner");
    }
}
