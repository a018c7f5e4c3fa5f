package io.herald.broadcast;

import static io.herald.Refusals.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.config.BroadcastConfig.TableConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client wire form of each variant: exact bytes, projection and masking. */
class EventCodecTest {
    private static final Target ORG = Target.organization("org_1");
    private static final String ROW = "{\"id\":\"app_1\",\"candidateId\":\"c_1\",\"stage\":\"applied\",\"ssn\":\"123-45-6789\"}";

    private final ObjectMapper json = new ObjectMapper();
    private final EventCodec codec = new EventCodec(json);
    private final TableRules applications = new TableRules("applications", TestHub.APPLICATIONS);
    private final TableRules candidates = new TableRules("candidates", TestHub.config().tables().get("candidates"));
    private final TableRules notes = new TableRules("notes", TableConfig.allDefaults());

    private JsonNode node(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String change(TableRules rules, ChangeEvent.Type type, String newRow, String oldRow, String... roles) {
        ChangeEvent e = new ChangeEvent(rules.name, type, newRow == null ? null : node(newRow), oldRow == null ? null : node(oldRow), ORG);
        long visible = rules.visibleMask(new RoleSet(Set.of(roles)));
        return new String(codec.encodeChange(Envelope.of(e), rules, visible), StandardCharsets.UTF_8);
    }

    private String broadcast(String event, JsonNode payload) {
        return new String(codec.encodeBroadcast(Envelope.of(new BroadcastEvent(event, payload, ORG, null))), StandardCharsets.UTF_8);
    }

    @Test
    void anInsertIsSentWithOldNull() {
        assertThat(change(applications, ChangeEvent.Type.INSERT, ROW, null, "owner")).isEqualTo(
                "{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\",\"eventType\":\"INSERT\","
                        + "\"new\":{\"id\":\"app_1\",\"candidateId\":\"c_1\",\"stage\":\"applied\",\"ssn\":\"123-45-6789\"},\"old\":null}");
    }

    @Test
    void anUpdateIsSentWithNewAndOld() {
        String before = "{\"id\":\"app_1\",\"stage\":\"applied\"}";
        String after = "{\"id\":\"app_1\",\"stage\":\"interview\"}";
        assertThat(change(applications, ChangeEvent.Type.UPDATE, after, before, "owner")).isEqualTo(
                "{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\",\"eventType\":\"UPDATE\","
                        + "\"new\":{\"id\":\"app_1\",\"stage\":\"interview\"},\"old\":{\"id\":\"app_1\",\"stage\":\"applied\"}}");
    }

    @Test
    void anUpdateWithoutOldIsSentWithOldNull() {
        assertThat(change(notes, ChangeEvent.Type.UPDATE, "{\"id\":1}", null)).endsWith("\"new\":{\"id\":1},\"old\":null}");
    }

    @Test
    void aDeleteIsSentWithNewNull() {
        assertThat(change(applications, ChangeEvent.Type.DELETE, null, "{\"id\":\"app_1\"}", "owner")).isEqualTo(
                "{\"type\":\"postgres_changes\",\"table\":\"applications\",\"schema\":\"public\",\"eventType\":\"DELETE\","
                        + "\"new\":null,\"old\":{\"id\":\"app_1\"}}");
    }

    @Test
    void rowsPassedWhereTheEventTypeHasNoneAreDropped() {
        assertThat(change(notes, ChangeEvent.Type.INSERT, "{\"id\":2}", "{\"id\":1}")).endsWith("\"new\":{\"id\":2},\"old\":null}");
        assertThat(change(notes, ChangeEvent.Type.DELETE, "{\"id\":2}", "{\"id\":1}")).endsWith("\"new\":null,\"old\":{\"id\":1}}");
    }

    @Test
    void theSchemaComesFromTheTableConfig() {
        assertThat(node(change(candidates, ChangeEvent.Type.INSERT, "{\"id\":1}", null)).get("schema").asText()).isEqualTo("hr");
    }

    @Test
    void projectionKeepsOnlyTheListedFieldsInRowOrderInNewAndOld() {
        String row = "{\"salary\":90000,\"id\":\"app_1\",\"stage\":\"offer\",\"internal\":{\"x\":1}}";
        String out = change(applications, ChangeEvent.Type.UPDATE, row, row, "owner");

        assertThat(out).contains("\"new\":{\"id\":\"app_1\",\"stage\":\"offer\"}", "\"old\":{\"id\":\"app_1\",\"stage\":\"offer\"}")
                .doesNotContain("salary", "internal");
    }

    @Test
    void withoutProjectionEveryFieldIsSentUnchanged() {
        String row = "{\"id\":7,\"ok\":true,\"tags\":[\"a\",\"b\"],\"meta\":{\"n\":null},\"text\":\"line\\n\\\"q\\\" é\"}";
        JsonNode sent = node(change(notes, ChangeEvent.Type.INSERT, row, null));

        assertThat(sent.get("new")).isEqualTo(node(row));
    }

    @Test
    void aMaskedFieldIsMaskedInNewAndOldForRolesNotShownIt() {
        JsonNode sent = node(change(applications, ChangeEvent.Type.UPDATE, ROW, ROW, "recruiter"));

        assertThat(sent.at("/new/ssn").asText()).isEqualTo("*****6789");
        assertThat(sent.at("/old/ssn").asText()).isEqualTo("*****6789");
        assertThat(sent.at("/new/stage").asText()).isEqualTo("applied");
    }

    @Test
    void aMaskedFieldIsShownToARoleListedInShow() {
        JsonNode sent = node(change(applications, ChangeEvent.Type.UPDATE, ROW, ROW, "owner"));

        assertThat(sent.at("/new/ssn").asText()).isEqualTo("123-45-6789");
        assertThat(sent.at("/old/ssn").asText()).isEqualTo("123-45-6789");
    }

    @Test
    void nonStringMaskedValuesAreRedacted() {
        String row = "{\"id\":\"a\",\"ssn\":123456789}";
        for (String ssn : List.of("123456789", "{\"a\":\"123-45-6789\"}", "[\"123-45-6789\"]", "true", "12.5")) {
            String r = "{\"id\":\"a\",\"ssn\":" + ssn + "}";
            assertThat(node(change(applications, ChangeEvent.Type.INSERT, r, null, "recruiter")).at("/new/ssn").asText())
                    .as("ssn %s", ssn).isEqualTo("[redacted]");
        }
        assertThat(node(change(applications, ChangeEvent.Type.INSERT, row, null, "owner")).at("/new/ssn").asLong())
                .isEqualTo(123456789L);
    }

    @Test
    void aNullMaskedValueStaysNull() {
        JsonNode sent = node(change(applications, ChangeEvent.Type.INSERT, "{\"id\":\"a\",\"ssn\":null}", null, "recruiter"));
        assertThat(sent.at("/new/ssn").isNull()).isTrue();
    }

    @Test
    void everyMaskTypeOfATableIsApplied() {
        String row = "{\"id\":1,\"email\":\"jane@acme.com\",\"phone\":\"+1 555-123-4567\",\"name\":\"Jane\",\"notes\":\"likes cats\"}";
        JsonNode viewer = node(change(candidates, ChangeEvent.Type.INSERT, row, null, "viewer")).get("new");

        assertThat(viewer.get("email").asText()).isEqualTo("j***@acme.com");
        assertThat(viewer.get("phone").asText()).isEqualTo("+* ***-***-4567");
        assertThat(viewer.get("name").asText()).isEqualTo("J***");
        assertThat(viewer.get("notes").asText()).isEqualTo("[redacted]");
        assertThat(viewer.get("id").asInt()).isEqualTo(1);
    }

    @Test
    void aMaskWithoutShowRolesIsMaskedForEveryRole() {
        String row = "{\"email\":\"jane@acme.com\",\"phone\":\"5551234567\"}";
        JsonNode owner = node(change(candidates, ChangeEvent.Type.INSERT, row, null, "owner")).get("new");

        assertThat(owner.get("email").asText()).isEqualTo("jane@acme.com");
        assertThat(owner.get("phone").asText()).isEqualTo("******4567");
    }

    @Test
    void visibleMasksDifferOnlyWhereShowRolesDo() {
        RoleSet recruiter = new RoleSet(Set.of("recruiter"));
        RoleSet manager = new RoleSet(Set.of("hiring-manager"));
        RoleSet owner = new RoleSet(Set.of("owner"));

        assertThat(applications.visibleMask(recruiter)).isEqualTo(applications.visibleMask(manager)).isZero();
        assertThat(applications.visibleMask(owner)).isNotEqualTo(applications.visibleMask(recruiter));
        assertThat(notes.visibleMask(owner)).isZero();
    }

    @Test
    void aBroadcastIsSentAsTypeEventAndPayload() {
        assertThat(broadcast("screening:complete", node("{\"score\":9,\"tags\":[\"a\"]}")))
                .isEqualTo("{\"type\":\"broadcast\",\"event\":\"screening:complete\",\"payload\":{\"score\":9,\"tags\":[\"a\"]}}");
    }

    @Test
    void aBroadcastPayloadMayBeNullOrAnyJsonValue() {
        assertThat(broadcast("ping", null)).isEqualTo("{\"type\":\"broadcast\",\"event\":\"ping\",\"payload\":null}");
        assertThat(broadcast("n", node("42"))).isEqualTo("{\"type\":\"broadcast\",\"event\":\"n\",\"payload\":42}");
        assertThat(broadcast("s", node("\"hi\""))).isEqualTo("{\"type\":\"broadcast\",\"event\":\"s\",\"payload\":\"hi\"}");
    }

    @Test
    void eventNamesAreEscapedIntoValidJson() {
        String out = broadcast("quote\"and\\slash", node("{}"));
        assertThat(node(out).get("event").asText()).isEqualTo("quote\"and\\slash");
    }

    @Test
    void aChangeEnvelopeSurvivesTheBrokerRoundTrip() {
        ChangeEvent change = new ChangeEvent("applications", ChangeEvent.Type.UPDATE, node(ROW), node("{\"id\":\"app_1\"}"),
                ORG.user("u_1"));
        Envelope original = Envelope.of(change);

        assertThat(codec.decodeEnvelope(codec.encodeEnvelope(original))).isEqualTo(original);
    }

    @Test
    void aBroadcastEnvelopeSurvivesTheBrokerRoundTrip() {
        Envelope original = Envelope.of(new BroadcastEvent("screening:complete", node("[1,{\"a\":null}]"),
                Target.scope("events:evt_123"), List.of("owner", "hiring-manager")));
        Envelope nullPayload = Envelope.of(new BroadcastEvent("x", null, ORG, null));

        assertThat(codec.decodeEnvelope(codec.encodeEnvelope(original))).isEqualTo(original);
        assertThat(codec.decodeEnvelope(codec.encodeEnvelope(nullPayload))).isEqualTo(nullPayload);
    }

    @Test
    void undecodableBrokerBytesAreAnInternalError() {
        assertRefused(ErrorCode.INTERNAL, () -> codec.decodeEnvelope("not json".getBytes(StandardCharsets.UTF_8)));
        assertRefused(ErrorCode.INTERNAL, () -> codec.decodeEnvelope("{\"k\":\"CHANGE\",\"e\":\"UPSERT\"}".getBytes(StandardCharsets.UTF_8)));
    }
}
