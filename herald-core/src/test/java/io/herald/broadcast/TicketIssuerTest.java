package io.herald.broadcast;

import static io.herald.Refusals.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.auth.Ticket;
import io.herald.auth.TicketService;
import io.herald.config.BroadcastConfig;
import io.herald.config.ConfigException;
import io.herald.config.DatasourceConfig;
import io.herald.datasource.Datasources;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ticket issuing against a real SQLite file, with the engine's real datasources and ticket service. */
class TicketIssuerTest {
    private static final String CHECK_SQL =
            "SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId AND role = :role";
    private static final Principal ONE_ORG = new Principal("u_1", Map.of("org_1", List.of("owner", "recruiter")), null, "Jane", null);
    private static final Principal TWO_ORGS = new Principal("u_1",
            Map.of("org_1", List.of("owner"), "org_2", List.of("viewer")), null, null, null);
    private static final Principal NO_ORG = new Principal("u_1", Map.of(), null, null, null);

    @TempDir
    Path dir;
    private String url;
    private Datasources datasources;
    private final ObjectMapper json = new ObjectMapper();
    private final TicketService tickets = new TicketService("access-token-for-tests-0123456789", Duration.ofSeconds(60),
            false, 1000, Clock.systemUTC(), json);
    private TicketIssuer issuer;

    @BeforeEach
    void createDatabase() throws SQLException {
        url = "jdbc:sqlite:" + dir.resolve("app.db");
        sql("CREATE TABLE event_roles(event_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL)",
                "INSERT INTO event_roles VALUES ('evt_123', 'u_1', 'attendee')",
                "INSERT INTO event_roles VALUES ('evt_456', 'u_2', 'attendee')",
                "INSERT INTO event_roles VALUES ('evt_789', 'u_1', 'speaker')");
        datasources = new Datasources(Map.of("app", DatasourceConfig.of(url)));
        issuer = new TicketIssuer(config(CHECK_SQL), tickets, datasources);
    }

    @AfterEach
    void closeDatasources() {
        datasources.close();
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static BroadcastConfig config(String checkSql) {
        return BroadcastConfig.defaults().withWsTicket(new BroadcastConfig.WsTicket("attendee", "eventId", "events",
                new BroadcastConfig.Check("app", checkSql)));
    }

    private JsonNode body(String text) throws Exception {
        return text == null ? null : json.readTree(text);
    }

    private Ticket issued(Principal p, String body) throws Exception {
        TicketIssuer.Issued issued = issuer.issue(p, body(body)).get(10, TimeUnit.SECONDS);
        assertThat(issued.expiresIn()).isEqualTo(60);
        return tickets.verify(issued.ticket());
    }

    /** The refusal, whether the issuer throws it at once or fails its future with it. */
    private HeraldException refusal(ErrorCode code, Principal p, String body) throws Exception {
        CompletableFuture<TicketIssuer.Issued> future;
        try {
            future = issuer.issue(p, body(body));
        } catch (HeraldException e) {
            assertThat(e.code()).as("refusal thrown at once: %s", e.getMessage()).isEqualTo(code);
            return e;
        }
        return assertFailsWith(code, future);
    }

    @Test
    void anOrgTicketCarriesTheUsersRolesInItsOnlyOrg() throws Exception {
        Ticket t = issued(ONE_ORG, null);

        assertThat(t.userId()).isEqualTo("u_1");
        assertThat(t.organizationId()).isEqualTo("org_1");
        assertThat(t.roles()).containsExactly("owner", "recruiter");
        assertThat(t.resourceScope()).isEmpty();
        assertThat(t.name()).isEqualTo("Jane");
    }

    @Test
    void anEmptyOrNullBodyGivesAnOrgTicket() throws Exception {
        assertThat(issued(ONE_ORG, "{}").organizationId()).isEqualTo("org_1");
        assertThat(issued(ONE_ORG, "null").organizationId()).isEqualTo("org_1");
        assertThat(issued(ONE_ORG, "{\"eventId\":null}").resourceScope()).isEmpty();
    }

    @Test
    void theBodyChoosesTheActiveOrg() throws Exception {
        Ticket t = issued(TWO_ORGS, "{\"organizationId\":\"org_2\"}");

        assertThat(t.organizationId()).isEqualTo("org_2");
        assertThat(t.roles()).containsExactly("viewer");
    }

    @Test
    void aUserInSeveralOrgsMustNameOne() throws Exception {
        refusal(ErrorCode.ORGANIZATION_REQUIRED, TWO_ORGS, null);
    }

    @Test
    void anOrgTheUserIsNotInIsForbidden() throws Exception {
        refusal(ErrorCode.ORGANIZATION_FORBIDDEN, ONE_ORG, "{\"organizationId\":\"org_2\"}");
        refusal(ErrorCode.ORGANIZATION_FORBIDDEN, ONE_ORG, "{\"organizationId\":\"org_2\",\"eventId\":\"evt_123\"}");
    }

    @Test
    void aUserInNoOrgGetsNoOrgTicket() throws Exception {
        refusal(ErrorCode.NO_ORGANIZATION, NO_ORG, null);
    }

    @Test
    void aResourceTicketIsIssuedWhenTheCheckFindsARow() throws Exception {
        Ticket t = issued(ONE_ORG, "{\"eventId\":\"evt_123\"}");

        assertThat(t.resourceScope()).contains("events:evt_123");
        assertThat(t.roles()).containsExactly("attendee");
        assertThat(t.userId()).isEqualTo("u_1");
        assertThat(t.organizationId()).isEqualTo("org_1");
    }

    @Test
    void aResourceTicketNeedsNoOrganization() throws Exception {
        assertThat(issued(NO_ORG, "{\"eventId\":\"evt_123\"}").resourceScope()).contains("events:evt_123");
        Ticket ambiguous = issued(TWO_ORGS, "{\"eventId\":\"evt_123\"}");
        assertThat(ambiguous.organizationId()).isNull();
        assertThat(ambiguous.resourceScope()).contains("events:evt_123");
    }

    @Test
    void aResourceTicketIsForbiddenWhenTheCheckFindsNoRow() throws Exception {
        CompletableFuture<TicketIssuer.Issued> f = issuer.issue(ONE_ORG, body("{\"eventId\":\"evt_404\"}"));

        assertThat(assertFailsWith(ErrorCode.FORBIDDEN, f).getMessage()).doesNotContain("evt_404");
    }

    @Test
    void theCheckBindsTheUserAndTheRole() throws Exception {
        refusal(ErrorCode.FORBIDDEN, ONE_ORG, "{\"eventId\":\"evt_456\"}"); // someone else's row
        refusal(ErrorCode.FORBIDDEN, ONE_ORG, "{\"eventId\":\"evt_789\"}"); // a row for another role
    }

    @Test
    void theResourceIdIsBoundAsAParameterNotSpliced() throws Exception {
        refusal(ErrorCode.FORBIDDEN, ONE_ORG, "{\"eventId\":\"evt_404'OR'1'='1\"}");
        refusal(ErrorCode.FORBIDDEN, ONE_ORG, "{\"eventId\":\"evt_123'--\"}");
    }

    @Test
    void aRowAddedLaterIsSeenByTheNextRequest() throws Exception {
        refusal(ErrorCode.FORBIDDEN, ONE_ORG, "{\"eventId\":\"evt_new\"}");
        sql("INSERT INTO event_roles VALUES ('evt_new', 'u_1', 'attendee')");
        assertThat(issued(ONE_ORG, "{\"eventId\":\"evt_new\"}").resourceScope()).contains("events:evt_new");
    }

    @Test
    void aMalformedBodyOrResourceIdIsABadRequest() throws Exception {
        refusal(ErrorCode.BAD_REQUEST, ONE_ORG, "[\"evt_123\"]");
        refusal(ErrorCode.BAD_REQUEST, ONE_ORG, "{\"eventId\":123}");
        refusal(ErrorCode.BAD_REQUEST, ONE_ORG, "{\"eventId\":\"\"}");
        refusal(ErrorCode.BAD_REQUEST, ONE_ORG, "{\"eventId\":\"" + "e".repeat(257) + "\"}");
        refusal(ErrorCode.BAD_REQUEST, ONE_ORG, "{\"eventId\":\"has space\"}");
        refusal(ErrorCode.BAD_REQUEST, ONE_ORG, "{\"organizationId\":7}");
    }

    @Test
    void aCheckNamingAMissingTableFailsAtStartUp() {
        assertThatThrownBy(() -> new TicketIssuer(config("SELECT 1 FROM no_such_table WHERE id = :id"), tickets, datasources))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.wsTicket.check.sql:");
        assertThatThrownBy(() -> new TicketIssuer(config("SELECT 1 FROM event_roles WHERE no_such_column = :id"), tickets, datasources))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broadcast.wsTicket.check.sql:");
    }

    @Test
    void withoutWsTicketConfiguredTheResourceFieldIsIgnored() throws Exception {
        issuer = new TicketIssuer(BroadcastConfig.defaults(), tickets, datasources);

        Ticket t = issued(ONE_ORG, "{\"eventId\":\"evt_404\"}");

        assertThat(t.resourceScope()).isEmpty();
        assertThat(t.organizationId()).isEqualTo("org_1");
    }

    @Test
    void theTicketLifetimeIsTheServicesTtl() throws Exception {
        issuer = new TicketIssuer(config(CHECK_SQL),
                new TicketService("access-token-for-tests-0123456789", Duration.ofSeconds(15), false, 10, Clock.systemUTC(), json),
                datasources);
        assertThat(issuer.issue(ONE_ORG, null).get(10, TimeUnit.SECONDS).expiresIn()).isEqualTo(15);
    }
}
