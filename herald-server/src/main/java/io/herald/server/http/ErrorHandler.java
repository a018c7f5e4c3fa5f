package io.herald.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.Meters;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into the JSON error of DESIGN.md, {@code {"error":"<code>","message":"..."}},
 * with the status of its {@link ErrorCode}. Router failures with only a status (404, 405, 413 from the
 * body handler) are mapped to the same table. Client mistakes are logged at DEBUG, bugs at ERROR.
 */
public final class ErrorHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Meters meters;

    public ErrorHandler(Meters meters) {
        this.meters = meters;
    }

    @Override
    public void handle(RoutingContext ctx) {
        handle(ctx, ctx.statusCode());
    }

    /**
     * As {@link #handle(RoutingContext)} for a router error handler registered for {@code status}: Vert.x
     * calls the 400 handler for a path it cannot decode ({@code /sse/%zz}) without setting a status.
     */
    public void handle(RoutingContext ctx, int status) {
        Throwable failure = unwrap(ctx.failure());
        HeraldException e;
        if (failure instanceof HeraldException he) {
            e = he;
            logIfInternal(ctx.request().method().name(), ctx.request().path(), he);
        } else if (failure != null && (ctx.statusCode() < 400 || ctx.statusCode() >= 500)) {
            // Vert.x marks a handler's exception 500 before calling here: that is a bug, logged as one
            log.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
            e = new HeraldException(ErrorCode.INTERNAL);
        } else if (ctx.statusCode() == 403 && ctx.request().getHeader("Origin") != null) {
            // only the CORS handler fails with a bare 403: the Origin is not in server.allowedOrigins
            e = new HeraldException(ErrorCode.ORIGIN_FORBIDDEN, "This Origin is not in server.allowedOrigins.");
        } else {
            e = new HeraldException(forStatus(ctx.statusCode() > 0 ? ctx.statusCode() : status));
        }
        respond(ctx.request(), e);
    }

    /**
     * Answers a request outside the router (WebSocket upgrades are taken before it) with the JSON
     * error for {@code failure}, counting auth refusals.
     */
    public void respond(HttpServerRequest request, Throwable failure) {
        send(request.response(), refusal(request.method().name(), request.path(), failure));
    }

    /**
     * The error to answer a refused request on {@code path} (never its query: tickets travel there)
     * with: a {@link HeraldException} as it is, anything else as a logged 500; auth refusals are counted.
     */
    public HeraldException refusal(String method, String path, Throwable failure) {
        Throwable f = unwrap(failure);
        HeraldException e;
        if (f instanceof HeraldException he) {
            e = he;
            logIfInternal(method, path, he);
        } else {
            log.error("unhandled failure on {} {}", method, path, f);
            e = new HeraldException(ErrorCode.INTERNAL);
        }
        if (e.code().httpStatus() == 401 || e.code().httpStatus() == 403) {
            meters.authFailure(e.code().code());
        }
        log.debug("{} {} -> {} {}", method, path, e.code().httpStatus(), e.code().code());
        return e;
    }

    /** Every {@code internal_error} answer is a bug: logged at ERROR with its cause, whoever raised it. */
    private static void logIfInternal(String method, String path, HeraldException e) {
        if (e.code() == ErrorCode.INTERNAL) {
            log.error("internal error on {} {}: {}", method, path, e.getMessage(), e.getCause() != null ? e.getCause() : e);
        }
    }

    /** Writes {@code e} as a JSON error response, unless the response has already started. */
    public static void send(HttpServerResponse response, HeraldException e) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(e.code().httpStatus())
                .putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(body(e)));
    }

    /** Writes a JSON error with a status chosen by room code (a gate's refusal). */
    public static void send(HttpServerResponse response, int status, String code, String message) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(body(code, message)));
    }

    public static byte[] body(HeraldException e) {
        return body(e.code().code(), e.getMessage());
    }

    public static byte[] body(String code, String message) {
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", code);
            g.writeStringField("message", message);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toByteArray();
    }

    /** Strips the wrappers futures put around a failure. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static ErrorCode forStatus(int status) {
        return switch (status) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.TOO_MANY_REQUESTS;
            case 503 -> ErrorCode.SHUTTING_DOWN;
            default -> ErrorCode.INTERNAL;
        };
    }
}
