package io.herald.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.herald.ErrorCode;
import io.herald.server.http.OpenApiDocument;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * docs/openapi.yaml as the server serves it (the copy the build put on the class path), read as a tree, with
 * what the OpenAPI tests ask of it: the documented paths and methods, and the error codes each response lists in
 * its {@code x-error-codes} extension ({@code $ref}s to {@code components/responses} followed).
 */
final class OpenApi {
    /** The HTTP methods an OpenAPI path item may hold operations for, lower-case as in the document. */
    static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    final String text;
    final JsonNode root;

    private OpenApi(String text, JsonNode root) {
        this.text = text;
        this.root = root;
    }

    static OpenApi load() {
        try (InputStream in = OpenApi.class.getResourceAsStream(OpenApiDocument.RESOURCE)) {
            if (in == null) {
                throw new AssertionError(OpenApiDocument.RESOURCE + " is not on the class path: herald-server's pom copies docs/openapi.yaml there");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new OpenApi(text, new YAMLMapper().readTree(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every documented path with the methods (upper-case) it has operations for, in document order. */
    Map<String, Set<String>> pathMethods() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        root.path("paths").fields().forEachRemaining(p -> {
            Set<String> methods = new LinkedHashSet<>();
            for (String m : METHODS) {
                if (p.getValue().has(m)) {
                    methods.add(m.toUpperCase(Locale.ROOT));
                }
            }
            out.put(p.getKey(), methods);
        });
        return out;
    }

    /** The operation for {@code method} on the documented {@code path}; fails when there is none. */
    JsonNode operation(String method, String path) {
        JsonNode op = root.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        if (op.isMissingNode()) {
            throw new AssertionError("docs/openapi.yaml documents no " + method + " " + path);
        }
        return op;
    }

    /** {@code node} itself, or what its {@code $ref} (a local one, {@code #/...}) points to. */
    JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        String r = ref.asText();
        if (!r.startsWith("#/")) {
            throw new AssertionError("only local $refs are used: " + r);
        }
        JsonNode target = root.at(r.substring(1));
        if (target.isMissingNode()) {
            throw new AssertionError("$ref " + r + " points nowhere");
        }
        return resolve(target);
    }

    /** The codes a response lists in {@code x-error-codes} (empty when it lists none). */
    List<String> errorCodes(JsonNode response) {
        List<String> codes = new ArrayList<>();
        resolve(response).path("x-error-codes").forEach(c -> codes.add(c.asText()));
        return codes;
    }

    /** The codes {@code x-common-errors} lists for {@code status}: what any request may be answered with. */
    List<String> commonErrorCodes(int status) {
        List<String> codes = new ArrayList<>();
        root.path("x-common-errors").path(Integer.toString(status)).forEach(c -> codes.add(c.asText()));
        return codes;
    }

    /** Every wire code of {@link ErrorCode}. */
    static Set<String> wireCodes() {
        return Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The {@link ErrorCode} whose wire code is {@code code}, or null. */
    static ErrorCode byWireCode(String code) {
        return Arrays.stream(ErrorCode.values()).filter(c -> c.code().equals(code)).findFirst().orElse(null);
    }
}
