package io.herald.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run with {@code EVALSHA}, falling back to {@code EVAL} when the server answers
 * {@code NOSCRIPT} (first use on that server, after a restart or {@code SCRIPT FLUSH}); {@code EVAL}
 * caches the script on that server, so each server compiles it once. The SHA-1 is computed here, so
 * no {@code SCRIPT LOAD} round trip is needed and cluster nodes load it lazily. Immutable and
 * thread-safe.
 */
final class LuaScript {

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /** Reads {@code name} from this package's resources. */
    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + name);
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String sha() {
        return sha;
    }

    /** Runs the script with {@code keys} and {@code args} (each a {@code String}, {@code byte[]} or {@code long}). */
    Future<Response> run(Redis redis, List<String> keys, Object... args) {
        return redis.send(request(Command.EVALSHA, sha, keys, args)).recover(failure -> {
            String message = failure.getMessage();
            if (message != null && message.startsWith("NOSCRIPT")) {
                return redis.send(request(Command.EVAL, source, keys, args));
            }
            return Future.failedFuture(failure);
        });
    }

    private static Request request(Command command, String script, List<String> keys, Object[] args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(bytes);
            } else if (arg instanceof Long number) {
                request.arg(number.longValue());
            } else if (arg instanceof Integer number) {
                request.arg(number.longValue());
            } else {
                request.arg(String.valueOf(arg));
            }
        }
        return request;
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
