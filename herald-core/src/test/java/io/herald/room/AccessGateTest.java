package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.config.ConfigException;
import io.herald.config.DatasourceConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Resource;
import io.herald.datasource.Datasources;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every access gate, allowed and denied, against a real SQLite datasource; and its start-up validation. */
class AccessGateTest {
    private static final String PATH = "rooms.bindings.CHAT.access";
    private static final Principal U1_ORG1 = new Principal("u1", Map.of("org1", List.of("member")), null, "Ada", null);
    private static final Principal U2_TWO_ORGS = new Principal("u2", Map.of("org1", List.of(), "org2", List.of()), null, null, null);
    private static final Resource CHATS = new Resource("app", "chats", null, Map.of("organization_id", "ctx.activeOrgId"), "deleted_at");
    private static final RoomsConfig.RoomIdPattern NOTE_OR_RECORD =
            new RoomsConfig.RoomIdPattern("^(day-note|record):([A-Za-z0-9_-]+)$", 1, 2);

    @TempDir
    Path dir;
    private Datasources datasources;

    @BeforeEach
    void createTables() throws Exception {
        datasources = new Datasources(Map.of("app", DatasourceConfig.of("jdbc:sqlite:" + dir.resolve("app.db"))));
        datasources.inline("app", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE chats (id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, deleted_at TEXT)");
                s.execute("INSERT INTO chats VALUES ('c1', 'org1', NULL), ('c2', 'org2', NULL), ('c3', 'org1', '2025-01-01')");
                s.execute("CREATE TABLE day_notes (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL)");
                s.execute("INSERT INTO day_notes VALUES ('n1', 'u1'), ('n2', 'u2')");
                s.execute("CREATE TABLE records (id TEXT PRIMARY KEY, organization_id TEXT NOT NULL)");
                s.execute("INSERT INTO records VALUES ('r1', 'org1'), ('r2', 'org2')");
                s.execute("CREATE TABLE \"group\" (\"key\" TEXT, \"order\" TEXT)");
                s.execute("INSERT INTO \"group\" VALUES ('g1', 'u1')");
            }
            return null;
        });
    }

    @AfterEach
    void closeDatasources() {
        datasources.close();
    }

    private AccessGate gate(Access access) {
        return new AccessGate(PATH, access, datasources);
    }

    private static Access pattern(Map<String, Resource> resources) {
        return Access.pattern(NOTE_OR_RECORD, resources);
    }

    private static final Map<String, Resource> NOTES_AND_RECORDS = Map.of(
            "day-note", new Resource("app", "day_notes", null, Map.of("owner_id", "ctx.userId"), null),
            "record", new Resource("app", "records", "id", Map.of("organization_id", "ctx.activeOrgId"), null));

    /** Checks {@code room} for {@code p} with the active org resolved as the server does (no ?organizationId=). */
    private static CompletableFuture<Void> check(AccessGate gate, Principal p, String room) {
        return gate.check(p, room, () -> p.activeOrg(null));
    }

    private static void assertAllowed(CompletableFuture<Void> check) throws Exception {
        check.get(10, TimeUnit.SECONDS);
    }

    private static void assertRefused(ErrorCode code, int status, CompletableFuture<Void> check) {
        Throwable t = catchThrowable(() -> check.get(10, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOfSatisfying(HeraldException.class, e -> {
            assertThat(e.code()).as("code (%s)", e.getMessage()).isEqualTo(code);
            assertThat(e.code().httpStatus()).isEqualTo(status);
        });
    }

    @Test
    void aPublicRoomLetsAnyoneInIncludingAnonymous() throws Exception {
        AccessGate gate = gate(Access.PUBLIC);
        assertThat(gate.isPublic()).isTrue();
        assertAllowed(gate.check(null, "lobby", () -> {
            throw new AssertionError("a public gate needs no org");
        }));
        assertAllowed(check(gate, U1_ORG1, "lobby"));
    }

    @Test
    void theDefaultGateWantsAnyAuthenticatedUserAndRefusesAnonymousWith401() throws Exception {
        AccessGate gate = gate(Access.AUTHENTICATED);
        assertThat(gate.isPublic()).isFalse();
        assertRefused(ErrorCode.UNAUTHENTICATED, 401, gate.check(null, "any", () -> null));
        assertAllowed(check(gate, U1_ORG1, "any"));
    }

    @Test
    void roomIdEqualsUserIdAdmitsOnlyThatUsersRoom() throws Exception {
        AccessGate gate = gate(Access.roomIdEquals("ctx.userId"));
        assertAllowed(check(gate, U1_ORG1, "u1"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "u2"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "U1"));
        assertRefused(ErrorCode.UNAUTHENTICATED, 401, gate.check(null, "u1", () -> null));
    }

    @Test
    void roomIdEqualsActiveOrgAdmitsOnlyTheActiveOrgsRoom() throws Exception {
        AccessGate gate = gate(Access.roomIdEquals("ctx.activeOrgId"));
        assertAllowed(check(gate, U1_ORG1, "org1"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "org2"));
        // with several orgs the one named by ?organizationId= is the active one
        assertAllowed(gate.check(U2_TWO_ORGS, "org2", () -> U2_TWO_ORGS.activeOrg("org2")));
        assertRefused(ErrorCode.FORBIDDEN, 403, gate.check(U2_TWO_ORGS, "org2", () -> U2_TWO_ORGS.activeOrg("org1")));
    }

    @Test
    void aGateThatNeedsTheOrgOfAUserInSeveralOrgsWhoNamedNoneIsA400() {
        assertRefused(ErrorCode.ORGANIZATION_REQUIRED, 400, check(gate(Access.roomIdEquals("ctx.activeOrgId")), U2_TWO_ORGS, "org1"));
        assertRefused(ErrorCode.ORGANIZATION_REQUIRED, 400, check(gate(Access.resource(CHATS)), U2_TWO_ORGS, "c1"));
    }

    @Test
    void aResourceGateAdmitsAVisibleRowOfTheUsersOrg() throws Exception {
        assertAllowed(check(gate(Access.resource(CHATS)), U1_ORG1, "c1"));
    }

    @Test
    void aResourceGateRefusesAMissingRowWith403Not404() {
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate(Access.resource(CHATS)), U1_ORG1, "c404"));
    }

    @Test
    void aResourceGateRefusesASoftDeletedRowWith403() {
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate(Access.resource(CHATS)), U1_ORG1, "c3"));
    }

    @Test
    void aResourceGateRefusesAnotherOrgsRowWith403() {
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate(Access.resource(CHATS)), U1_ORG1, "c2"));
    }

    @Test
    void aResourceGateRefusesAnonymousWith401BeforeAnyQuery() {
        assertRefused(ErrorCode.UNAUTHENTICATED, 401, gate(Access.resource(CHATS)).check(null, "c1", () -> null));
    }

    @Test
    void theRoomIdIsAParameterNeverSql() {
        AccessGate gate = gate(Access.resource(CHATS));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "c2' OR '1'='1"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "x\" OR 1=1 --"));
    }

    @Test
    void aResourceWithoutFirewallOrSoftDeleteOnlyNeedsTheRowAndReservedWordsWorkAsNames() throws Exception {
        AccessGate gate = gate(Access.resource(new Resource("app", "group", "key", Map.of("order", "ctx.userId"), null)));
        assertAllowed(check(gate, U1_ORG1, "g1"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, new Principal("u2", null, null, null, null), "g1"));
        AccessGate open = gate(Access.resource(new Resource("app", "chats", null, null, null)));
        assertAllowed(check(open, U1_ORG1, "c2"));
        assertAllowed(check(open, U1_ORG1, "c3"));
    }

    @Test
    void aPatternGateRefusesARoomIdThatDoesNotMatchWith400() {
        AccessGate gate = gate(pattern(NOTES_AND_RECORDS));
        assertRefused(ErrorCode.BAD_REQUEST, 400, check(gate, U1_ORG1, "n1"));
        assertRefused(ErrorCode.BAD_REQUEST, 400, check(gate, U1_ORG1, "day-note:"));
        assertRefused(ErrorCode.BAD_REQUEST, 400, check(gate, U1_ORG1, "day-note:n1/extra"));
    }

    @Test
    void aPatternGateRefusesAMatchedButUnknownKindWith400() {
        AccessGate gate = gate(Access.pattern(new RoomsConfig.RoomIdPattern("^([a-z-]+):(.+)$", 1, 2),
                Map.of("day-note", NOTES_AND_RECORDS.get("day-note"))));
        assertRefused(ErrorCode.BAD_REQUEST, 400, check(gate, U1_ORG1, "invoice:1"));
        assertRefused(ErrorCode.BAD_REQUEST, 400, check(gate, U1_ORG1, "record:r1"));
    }

    @Test
    void aPatternGateRunsTheMatchedKindsResourceGate() throws Exception {
        AccessGate gate = gate(pattern(NOTES_AND_RECORDS));
        assertAllowed(check(gate, U1_ORG1, "day-note:n1"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "day-note:n2"));
        assertAllowed(check(gate, U1_ORG1, "record:r1"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "record:r2"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "record:r9"));
    }

    @Test
    void aPatternGateWithCustomGroupsReadsKindAndIdFromThem() throws Exception {
        AccessGate gate = gate(Access.pattern(new RoomsConfig.RoomIdPattern("^([A-Za-z0-9]+)@(day-note|record)$", 2, 1),
                NOTES_AND_RECORDS));
        assertAllowed(check(gate, U1_ORG1, "n1@day-note"));
        assertRefused(ErrorCode.FORBIDDEN, 403, check(gate, U1_ORG1, "n2@day-note"));
    }

    @Test
    void aTypoInATableIsAStartUpErrorNamingIt() {
        assertThatThrownBy(() -> gate(Access.resource(new Resource("app", "chatz", null, null, null))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(PATH)
                .hasMessageContaining("chatz");
        assertThatThrownBy(() -> gate(pattern(Map.of("day-note", new Resource("app", "day_note", null, null, null)))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("day_note");
    }

    @Test
    void aTypoInAKeyFirewallOrSoftDeleteColumnIsAStartUpErrorNamingIt() {
        assertThatThrownBy(() -> gate(Access.resource(new Resource("app", "chats", "chat_id", null, null))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH).hasMessageContaining("chat_id");
        assertThatThrownBy(() -> gate(Access.resource(new Resource("app", "chats", null, Map.of("org_id", "ctx.activeOrgId"), null))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("org_id");
        assertThatThrownBy(() -> gate(Access.resource(new Resource("app", "chats", null, null, "deleted"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("deleted");
        assertThatThrownBy(() -> gate(pattern(Map.of("record", new Resource("app", "records", null, Map.of("owner", "ctx.userId"), null)))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("owner");
    }

    @Test
    void anUndeclaredDatasourceIsAStartUpError() {
        assertThatThrownBy(() -> gate(Access.resource(new Resource("crm", "chats", null, null, null))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH).hasMessageContaining("crm");
    }
}
