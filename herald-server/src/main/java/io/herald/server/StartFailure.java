package io.herald.server;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.server.config.ConfigProblems;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why {@code herald serve} could not start, in one or two lines a person can act on, and its exit code: 2 for what
 * the configuration decides (a bad value, a port that cannot be had), 1 for anything else. No stack trace unless
 * {@code HERALD_LOG_LEVEL} is DEBUG or TRACE.
 */
final class StartFailure {
    static final int CONFIG = 2;
    static final int OTHER = 1;
    private static final Logger log = LoggerFactory.getLogger(StartFailure.class);
    /** A leading Java class name in an exception message ({@code io.netty...NativeIoException: bind(..) failed}). */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*: ");

    private StartFailure() {
    }

    /**
     * Prints why the start failed and returns the exit code.
     *
     * @param config the loaded configuration, null when loading it failed
     * @param checkConfig the {@code herald check-config} command line that lists every problem of this configuration
     */
    static int report(RuntimeException e, HeraldConfig config, Map<String, String> env, PrintWriter err, String checkConfig) {
        log.debug("start failed", e);
        int code;
        if (e instanceof ConfigException) {
            err.println("herald: configuration error: " + e.getMessage());
            if (e instanceof ConfigProblems all && all.problems().size() > 1) {
                int more = all.problems().size() - 1;
                err.println("herald: and " + more + " more problem" + (more == 1 ? "" : "s") + "; `" + checkConfig + "` lists them all");
            }
            code = CONFIG;
        } else if (config != null && bindFailure(e) != null) {
            String host = config.server().host();
            String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + config.server().port();
            String why = bindFailure(e);
            err.println("herald: cannot listen on " + where + ": " + why);
            err.println(why.contains("permission") ? "herald: ports below 1024 need privileges; choose another with --port N, server.port or HERALD_SERVER_PORT"
                    : why.contains("assign") ? "herald: server.host (HERALD_SERVER_HOST) must be an address of this machine, or 0.0.0.0 for all of them"
                    : "herald: another process is using it; choose another port with --port N, server.port or HERALD_SERVER_PORT");
            code = CONFIG;
        } else {
            err.println("herald: cannot start: " + message(e));
            code = OTHER;
        }
        String level = env.getOrDefault("HERALD_LOG_LEVEL", "").toUpperCase(Locale.ROOT);
        if (level.equals("DEBUG") || level.equals("TRACE")) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Why binding the listening socket failed, in words, or null when {@code e} is not about that. */
    static String bindFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            boolean bind = c instanceof BindException || m.contains("bind(");
            if (m.contains("address already in use")) {
                return "address already in use";
            }
            if (bind && m.contains("permission denied")) {
                return "permission denied";
            }
            if (bind && m.contains("cannot assign requested address")) {
                return "cannot assign requested address";
            }
            if (c instanceof BindException) {
                return message(c);
            }
        }
        return null;
    }

    private static String reason(java.nio.file.FileSystemException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "not a directory";
        }
        return e.getClass().getSimpleName();
    }

    /** The innermost message of {@code e}'s causes, without the class names Netty and Vert.x put in front. */
    static String message(Throwable e) {
        String found = null;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.nio.file.FileSystemException fs && fs.getReason() == null && fs.getFile() != null) {
                // these carry only the file's name: say what happened to it
                found = fs.getFile() + (fs.getOtherFile() == null ? "" : ", " + fs.getOtherFile()) + ": " + reason(fs);
            } else if (c.getMessage() != null && !c.getMessage().isBlank()) {
                found = c.getMessage();
            } else if (found == null) {
                found = c.getClass().getSimpleName();
            }
        }
        String m = found == null ? e.getClass().getSimpleName() : found.lines().findFirst().orElse(found);
        for (String before = null; !m.equals(before); ) {
            before = m;
            m = CLASS_PREFIX.matcher(m).replaceFirst("");
        }
        return m;
    }
}
