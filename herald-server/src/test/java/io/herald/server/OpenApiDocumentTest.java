package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.herald.ErrorCode;
import io.herald.config.StorageConfig;
import io.herald.server.transport.RouteTable;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/openapi.yaml against the server: every endpoint the route table of a real server declares is documented and
 * every documented path has an endpoint, with the same methods, and the documented WebSocket upgrades (a GET answered
 * 101) are exactly the table's socket endpoints; every error response names codes of {@link ErrorCode} with their
 * status; and the document is valid OpenAPI 3.1 to swagger-parser.
 *
 * <p>The server enables every primitive whose routes depend on configuration: the admin page, dev mode (for
 * {@code /examples/}, which exist only when the build put the examples in the jar: without them the documented
 * {@code x-herald-dev-mode-only} paths are left out of the comparison), rooms, channels and broadcast tables (whose
 * routes exist anyway). Lanes keep their default {@code basePath}, {@code /lanes/v1}, which is what the document
 * shows; the cluster's node list is always routed.
 *
 * <p>How an endpoint of the table maps to documented paths:
 * <ul>
 * <li>a socket endpoint serves GET on its path (an upgrade, or the 400 of a plain GET); an HTTP route on the same
 *     path adds its methods ({@code /parties/*} is a socket endpoint and a route for the room's onRequest);</li>
 * <li>an exact path {@code /a/:x/b} is the documented {@code /a/{x}/b}, and also {@code /a/{x}/b/} when that is
 *     documented (Vert.x matches a path with one trailing slash too: {@code /admin} serves {@code /admin/});</li>
 * <li>a prefix {@code /p/*} serves every documented path under {@code /p/} that no exact path serves
 *     ({@code /parties/*} is {@code /parties/{party}/{room}}; {@code /sse/*} is {@code /sse/{channel}});</li>
 * <li>each documented path an endpoint serves must have operations for exactly the endpoint's methods;</li>
 * <li>the socket endpoint of every upgrade no other claims (lanes under {@code basePath: ""}) has no path of its own.</li>
 * </ul>
 */
class OpenApiDocumentTest {
    static final String YAML = """
            admin:
              enabled: true
            broadcast:
              tables:
                applications:
                  requiredRoles: [owner]
              namespaces:
                screening: [started, complete]
            channels:
              allow: ["team:{org}:*"]
              public: ["status:*"]
            rooms:
              bindings:
                - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                - { name: INBOX, className: io.herald.room.builtin.PresenceRoom, access: { roomIdEquals: ctx.userId } }
            """;

    @TempDir
    static Path dir;
    private static TestServer server;
    private static OpenApi api;

    @BeforeAll
    static void start() {
        api = OpenApi.load();
        server = TestServer.startInDevMode(TestServer.config(YAML).withStorage(new StorageConfig(dir.resolve("herald.db").toString(), null)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyEndpointIsDocumentedAndEveryDocumentedPathHasOneWithTheSameMethods() {
        Map<String, Set<String>> documented = api.pathMethods();
        if (!server.server().servesExamples()) {
            // built without the examples (-Dherald.examples.skip, or no node): their routes do not exist
            documented.keySet().removeIf(p -> api.root.path("paths").path(p).path("x-herald-dev-mode-only").asBoolean());
        }
        List<RouteTable.Entry> entries = server.server().routes().entries();
        // one endpoint a path: a socket endpoint and an HTTP route on the same path serve the union of their methods
        Map<String, Served> byPath = new LinkedHashMap<>();
        for (RouteTable.Entry e : entries) {
            if (e.match() == RouteTable.Match.UNCLAIMED) {
                continue;
            }
            Served s = byPath.computeIfAbsent((e.match() == RouteTable.Match.PREFIX ? "prefix " : "exact ") + e.path(),
                    k -> new Served(e.path(), e.match() == RouteTable.Match.EXACT, new TreeSet<>()));
            e.methods().forEach(m -> s.methods().add(m.name()));
        }
        List<String> problems = new ArrayList<>();
        Set<String> served = new HashSet<>();
        for (Served s : byPath.values()) {
            if (!s.exact()) {
                continue;
            }
            String path = templated(s.path());
            List<String> paths = new ArrayList<>();
            for (String p : new String[] {path, path + "/"}) {
                if (documented.containsKey(p)) {
                    paths.add(p);
                }
            }
            if (paths.isEmpty()) {
                problems.add(s.methods() + " " + s.path() + " is served but docs/openapi.yaml has no " + path);
            }
            for (String p : paths) {
                served.add(p);
                compare(problems, s, p, documented.get(p));
            }
        }
        // after the exact paths: /realtime/* serves what /realtime/v1/ws-ticket and /realtime/v1/websocket do not
        for (Served s : byPath.values()) {
            if (s.exact()) {
                continue;
            }
            List<String> paths = documented.keySet().stream().filter(p -> p.startsWith(s.path()) && !served.contains(p)).toList();
            if (paths.isEmpty()) {
                problems.add(s.methods() + " " + s.path() + "* is served but docs/openapi.yaml has no path under " + s.path());
            }
            for (String p : paths) {
                served.add(p);
                compare(problems, s, p, documented.get(p));
            }
        }
        for (String p : documented.keySet()) {
            if (!served.contains(p)) {
                problems.add(p + " is documented but the server has no endpoint for it");
            }
        }
        assertThat(byPath).as("the table's endpoints").hasSizeGreaterThan(20);
        assertThat(problems).isEmpty();
    }

    @Test
    void theDocumentedUpgradesAreTheSocketEndpointsOfTheTable() {
        List<RouteTable.Entry> entries = server.server().routes().entries();
        Set<String> exactPaths = new HashSet<>();
        entries.stream().filter(e -> e.match() == RouteTable.Match.EXACT).forEach(e -> exactPaths.add(templated(e.path())));
        Set<String> upgrades = new TreeSet<>();
        api.root.path("paths").fields().forEachRemaining(p -> {
            if (p.getValue().path("get").path("responses").has("101")) {
                upgrades.add(p.getKey());
            }
        });
        List<String> problems = new ArrayList<>();
        Set<String> sockets = new TreeSet<>();
        int declared = 0;
        for (RouteTable.Entry e : entries) {
            if (e.kind() != RouteTable.Kind.WEBSOCKET || e.match() == RouteTable.Match.UNCLAIMED) {
                continue;
            }
            declared++;
            List<String> paths = e.match() == RouteTable.Match.EXACT ? List.of(e.path())
                    : api.pathMethods().keySet().stream().filter(p -> p.startsWith(e.path()) && !exactPaths.contains(p)).toList();
            if (paths.isEmpty()) {
                problems.add(e + " takes upgrades but docs/openapi.yaml has no path for it");
            }
            for (String p : paths) {
                sockets.add(p);
                if (!upgrades.contains(p)) {
                    problems.add(e + " takes upgrades but docs/openapi.yaml has no GET " + p + " answered 101");
                }
            }
        }
        for (String p : upgrades) {
            if (!sockets.contains(p)) {
                problems.add("GET " + p + " is documented with a 101 but the table has no socket endpoint for it");
            }
        }
        // broadcast and its alias, lanes, and the rooms under both prefixes
        assertThat(declared).as("the table's socket endpoints").isEqualTo(5);
        assertThat(problems).isEmpty();
    }

    /** The methods one path (exact, or a prefix) is served for, over every endpoint on it. */
    private record Served(String path, boolean exact, Set<String> methods) {
    }

    /** {@code /admin/v1/sockets/:id/close} → {@code /admin/v1/sockets/{id}/close}. */
    static String templated(String vertxPath) {
        return vertxPath.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    }

    private static void compare(List<String> problems, Served s, String path, Set<String> documentedMethods) {
        if (!s.methods().equals(new TreeSet<>(documentedMethods))) {
            problems.add(path + ": served for " + s.methods() + " (" + s.path() + (s.exact() ? "" : "*")
                    + ") but documented for " + new TreeSet<>(documentedMethods));
        }
    }

    @Test
    void theErrorCodeSchemaListsEveryCodeOfErrorCodeAndTheErrorSchemaUsesIt() {
        JsonNode schemas = api.root.path("components").path("schemas");
        List<String> listed = new ArrayList<>();
        schemas.path("ErrorCode").path("enum").forEach(c -> listed.add(c.asText()));
        assertThat(listed).as("components.schemas.ErrorCode.enum").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(OpenApi.wireCodes());
        JsonNode error = schemas.path("Error");
        assertThat(error.path("required")).extracting(JsonNode::asText).containsExactlyInAnyOrder("error", "message");
        assertThat(error.path("properties").path("error").path("$ref").asText()).isEqualTo("#/components/schemas/ErrorCode");
        assertThat(error.path("properties").path("message").path("type").asText()).isEqualTo("string");
        assertThat(error.path("additionalProperties").asBoolean(true)).as("only error and message").isFalse();
    }

    @Test
    void everyErrorResponseListsCodesOfErrorCodeWithThatStatus() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = api.root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String m : OpenApi.METHODS) {
                JsonNode op = path.getValue().get(m);
                if (op == null) {
                    continue;
                }
                String where = m.toUpperCase(Locale.ROOT) + " " + path.getKey();
                if (!op.has("security")) {
                    problems.add(where + ": no security (the document has no global default: say [] for none)");
                }
                if (!op.hasNonNull("operationId")) {
                    problems.add(where + ": no operationId");
                }
                for (Iterator<Map.Entry<String, JsonNode>> rs = op.path("responses").fields(); rs.hasNext(); ) {
                    Map.Entry<String, JsonNode> r = rs.next();
                    checked += checkResponse(problems, where + " " + r.getKey(), r.getKey(), api.resolve(r.getValue()));
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> common = api.root.path("x-common-errors").fields(); common.hasNext(); ) {
            Map.Entry<String, JsonNode> c = common.next();
            for (JsonNode code : c.getValue()) {
                checkCode(problems, "x-common-errors " + c.getKey(), c.getKey(), code.asText());
                checked++;
            }
        }
        assertThat(checked).as("error responses checked").isGreaterThan(100);
        assertThat(problems).isEmpty();
    }

    /** The checks of one response; answers how many codes it listed. */
    private int checkResponse(List<String> problems, String where, String status, JsonNode response) {
        boolean error = status.matches("[45][0-9][0-9]");
        JsonNode codes = response.get("x-error-codes");
        if (!error) {
            if (codes != null) {
                problems.add(where + ": x-error-codes on a response that is not a 4xx or 5xx");
            }
            return 0;
        }
        if (codes == null || !codes.isArray() || codes.isEmpty()) {
            problems.add(where + ": an error response without x-error-codes");
            return 0;
        }
        Set<String> listed = new HashSet<>();
        for (JsonNode code : codes) {
            checkCode(problems, where, status, code.asText());
            if (!listed.add(code.asText())) {
                problems.add(where + ": " + code.asText() + " listed twice");
            }
        }
        JsonNode schema = response.path("content").path("application/json").path("schema");
        if (!usesError(schema)) {
            problems.add(where + ": its application/json schema is not (or does not include) #/components/schemas/Error");
        }
        // examples must show codes the response lists
        JsonNode media = response.path("content").path("application/json");
        List<JsonNode> examples = new ArrayList<>();
        if (media.has("example")) {
            examples.add(media.get("example"));
        }
        media.path("examples").forEach(e -> examples.add(api.resolve(e).path("value")));
        for (JsonNode e : examples) {
            if (e.has("error") && !listed.contains(e.get("error").asText())) {
                problems.add(where + ": an example shows " + e.get("error").asText() + ", which x-error-codes does not list");
            }
        }
        return codes.size();
    }

    private boolean usesError(JsonNode schema) {
        if ("#/components/schemas/Error".equals(schema.path("$ref").asText())) {
            return true;
        }
        for (JsonNode alternative : schema.path("oneOf")) {
            if ("#/components/schemas/Error".equals(alternative.path("$ref").asText())) {
                return true;
            }
        }
        return false;
    }

    private static void checkCode(List<String> problems, String where, String status, String code) {
        ErrorCode c = OpenApi.byWireCode(code);
        if (c == null) {
            problems.add(where + ": " + code + " is not a code of io.herald.ErrorCode");
        } else if (!Integer.toString(c.httpStatus()).equals(status)) {
            problems.add(where + ": " + code + " is answered with " + c.httpStatus() + ", not " + status);
        }
    }

    @Test
    void swaggerParserReadsTheDocumentAsOpenApi31WithoutAMessage() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(api.text, null, options);
        assertThat(result.getMessages()).as("swagger-parser's messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(result.getOpenAPI().getPaths()).hasSize(api.pathMethods().size());
        // operation ids are unique (generated clients name their methods after them)
        List<String> ids = new ArrayList<>();
        api.root.path("paths").forEach(p -> OpenApi.METHODS.forEach(m -> {
            if (p.has(m)) {
                ids.add(p.get(m).path("operationId").asText());
            }
        }));
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void theServerServesTheDocumentAsJsonWithoutCredentials() throws Exception {
        HttpResponse<String> r = server.get("/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode served = TestServer.json(r.body());
        assertThat(served).isEqualTo(new YAMLMapper().readTree(api.text));
        assertThat(served.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(served.path("paths").has("/openapi.json")).isTrue();
    }

    @Test
    void theJarCarriesDocsOpenapiYamlUnchanged() throws Exception {
        Path source = Path.of("..", "docs", "openapi.yaml");
        if (!Files.exists(source)) {
            source = Path.of("docs", "openapi.yaml");
        }
        assertThat(source).as("docs/openapi.yaml from the module or the repository root").exists();
        assertThat(api.text).isEqualTo(Files.readString(source));
    }

    @Test
    void everyPathParameterOfATemplatedPathIsDeclared() {
        List<String> problems = new ArrayList<>();
        api.root.path("paths").fields().forEachRemaining(p -> {
            Set<String> inPath = new TreeSet<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(p.getKey());
            while (m.find()) {
                inPath.add(m.group(1));
            }
            for (String method : OpenApi.METHODS) {
                JsonNode op = p.getValue().get(method);
                if (op == null) {
                    continue;
                }
                Set<String> declared = new TreeSet<>();
                List<JsonNode> params = new ArrayList<>();
                p.getValue().path("parameters").forEach(params::add);
                op.path("parameters").forEach(params::add);
                for (JsonNode param : params) {
                    JsonNode resolved = api.resolve(param);
                    if ("path".equals(resolved.path("in").asText())) {
                        declared.add(resolved.path("name").asText());
                    }
                }
                if (!declared.equals(inPath)) {
                    problems.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey() + ": path parameters " + declared + ", the path has " + inPath);
                }
            }
        });
        assertThat(problems).isEmpty();
    }
}
